//! What the generated contract test does with each request of a contract:
//! send it and accept the statuses the contract documents; without what it
//! cannot supply (credentials, a body it cannot build) it checks what it can
//! (401/403 without credentials; a client error without the body) and says
//! what it skipped. Pure: a contract in, steps out.

use super::{Body, Contract, Format, Request};
use serde::Serialize;

/// Accepts any 2xx: the contract documents no status.
pub const ANY_SUCCESS: &str = "2xx";
/// Accepts any 4xx but 404 and 405 (the route exists and refused the request).
pub const CLIENT_ERROR: &str = "4xx";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    pub method: String,
    pub target: String,
    /// Sent with `content_type` when not empty.
    pub body: String,
    pub content_type: String,
    /// Accepted statuses, space-separated, possibly with `2xx` or `4xx`.
    pub expect: String,
    /// Send `Authorization: $CONTRACT_AUTHORIZATION`; skipped when it is unset.
    pub authorization: bool,
    /// The request and where the contract defines it: `GET /items/{id} (contracts/api.yaml:12)`.
    pub label: String,
    /// What passing means, for the output: "answers 201", "answers 401 or 403 without credentials".
    pub meaning: String,
}

/// The steps of a contract's test, and what it cannot check (one line each).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub steps: Vec<Step>,
    pub skipped: Vec<String>,
}

pub fn steps(contract: &Contract) -> Plan {
    let mut plan = Plan {
        steps: Vec::new(),
        skipped: Vec::new(),
    };
    if contract.requests.is_empty() && contract.problem.is_none() {
        plan.skipped.push(format!(
            "{} defines no HTTP request ({}); check it by hand",
            contract.path,
            describe(contract.format)
        ));
    }
    for request in &contract.requests {
        let label = format!(
            "{} {} ({}:{})",
            request.method, request.path, contract.path, request.line
        );
        if request.auth {
            plan.steps.push(without_credentials(request, &label));
        }
        let (step, skipped) = with_body(request, &label);
        plan.steps.push(step);
        plan.skipped.extend(skipped);
    }
    plan
}

fn describe(format: Format) -> &'static str {
    match format {
        Format::OpenApi => "an OpenAPI document without paths",
        Format::Swagger => "a Swagger document without paths",
        Format::JsonSchema => "a JSON Schema of a payload",
        Format::Data => "a YAML or JSON document that is no API description",
        Format::Markdown => "no `METHOD /path` in it",
    }
}

/// The request without credentials: it must be refused.
fn without_credentials(request: &Request, label: &str) -> Step {
    let refusals: Vec<u16> = request
        .statuses
        .iter()
        .copied()
        .filter(|s| *s == 401 || *s == 403)
        .collect();
    let refusals = if refusals.is_empty() {
        vec![401, 403]
    } else {
        refusals
    };
    let (body, content_type) = sendable(request);
    Step {
        method: request.method.clone(),
        target: request.target.clone(),
        body,
        content_type,
        expect: join(&refusals),
        authorization: false,
        label: label.to_string(),
        meaning: format!("answers {} without credentials", or_list(&refusals)),
    }
}

/// The request as documented; without a body it could not build, a client
/// error passes too, and the full check is reported skipped.
fn with_body(request: &Request, label: &str) -> (Step, Option<String>) {
    // With credentials, a refusal is not an answer the contract allows.
    let statuses: Vec<u16> = request
        .statuses
        .iter()
        .copied()
        .filter(|s| !request.auth || (*s != 401 && *s != 403))
        .collect();
    let documented = if statuses.is_empty() {
        ANY_SUCCESS.to_string()
    } else {
        join(&statuses)
    };
    let (body, content_type) = sendable(request);
    let missing_body = request
        .body
        .as_ref()
        .is_some_and(|b| b.required && b.example.is_none());
    let (expect, meaning, skipped) = if missing_body {
        (
            format!("{documented} {CLIENT_ERROR}"),
            "is routed (answers a documented status or a client error without its body)"
                .to_string(),
            Some(format!(
                "{label}: the request with its body (the contract gives no example and its schema cannot be filled in)"
            )),
        )
    } else if statuses.is_empty() {
        (
            documented,
            "answers a 2xx (the contract documents no other status)".to_string(),
            None,
        )
    } else {
        (documented, format!("answers {}", or_list(&statuses)), None)
    };
    let step = Step {
        method: request.method.clone(),
        target: request.target.clone(),
        body,
        content_type,
        expect,
        authorization: request.auth,
        label: label.to_string(),
        meaning,
    };
    (step, skipped)
}

/// The body a test can send and its media type, or two empty strings.
fn sendable(request: &Request) -> (String, String) {
    match &request.body {
        Some(Body {
            example: Some(example),
            media_type,
            ..
        }) => {
            let media_type = match media_type.is_empty() {
                true => "application/json".to_string(),
                false => media_type.clone(),
            };
            (example.clone(), media_type)
        }
        _ => (String::new(), String::new()),
    }
}

fn join(codes: &[u16]) -> String {
    codes
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

/// "200", "200 or 404", "200, 404 or 500".
fn or_list(codes: &[u16]) -> String {
    let words: Vec<String> = codes.iter().map(u16::to_string).collect();
    match words.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => words.join(""),
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse_contract;
    use super::*;

    fn request(method: &str, statuses: &[u16], auth: bool, body: Option<Body>) -> Request {
        Request {
            method: method.into(),
            path: "/x/{id}".into(),
            target: "/x/1".into(),
            status: 200,
            statuses: statuses.to_vec(),
            auth,
            body,
            line: 7,
        }
    }

    fn contract(requests: Vec<Request>) -> Contract {
        Contract {
            path: "contracts/api.yaml".into(),
            format: Format::OpenApi,
            requests,
            servers: Vec::new(),
            problem: None,
        }
    }

    #[test]
    fn a_plain_request_accepts_every_documented_status() {
        let plan = steps(&contract(vec![request("GET", &[200, 404], false, None)]));
        assert!(plan.skipped.is_empty());
        let [step] = plan.steps.as_slice() else {
            panic!()
        };
        assert_eq!(
            (
                step.expect.as_str(),
                step.meaning.as_str(),
                step.label.as_str()
            ),
            (
                "200 404",
                "answers 200 or 404",
                "GET /x/{id} (contracts/api.yaml:7)"
            )
        );
        assert!(!step.authorization && step.body.is_empty() && step.content_type.is_empty());
    }

    #[test]
    fn credentials_are_checked_by_their_absence_and_sent_when_given() {
        let body = Body {
            required: true,
            media_type: "application/json".into(),
            example: Some("{}".into()),
        };
        let plan = steps(&contract(vec![request(
            "POST",
            &[201, 401],
            true,
            Some(body),
        )]));
        let [refused, sent] = plan.steps.as_slice() else {
            panic!()
        };
        assert_eq!(
            (refused.expect.as_str(), refused.authorization),
            ("401", false)
        );
        assert_eq!(refused.meaning, "answers 401 without credentials");
        assert_eq!((sent.expect.as_str(), sent.authorization), ("201", true));
        assert_eq!(sent.body, "{}");
        assert_eq!(sent.content_type, "application/json");
    }

    #[test]
    fn a_body_that_cannot_be_built_is_skipped_and_routing_checked() {
        let body = Body {
            required: true,
            media_type: "multipart/form-data".into(),
            example: None,
        };
        let plan = steps(&contract(vec![request("PUT", &[204], false, Some(body))]));
        assert_eq!(plan.steps[0].expect, "204 4xx");
        assert_eq!(plan.steps[0].body, "");
        assert_eq!(plan.skipped.len(), 1);
        assert!(plan.skipped[0].starts_with("PUT /x/{id} (contracts/api.yaml:7): "));
    }

    #[test]
    fn undocumented_statuses_and_requestless_contracts() {
        let plan = steps(&contract(vec![request("GET", &[], true, None)]));
        assert_eq!(plan.steps[0].expect, "401 403");
        assert_eq!(plan.steps[1].expect, ANY_SUCCESS);
        let schema = parse_contract(
            "contracts/user.json",
            "json",
            "{\"$schema\": \"x\", \"type\": \"object\"}",
        );
        let plan = steps(&schema);
        assert!(plan.steps.is_empty());
        assert_eq!(
            plan.skipped,
            ["contracts/user.json defines no HTTP request (a JSON Schema of a payload); check it by hand"]
        );
    }
}
