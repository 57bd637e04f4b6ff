//! Candidates from every reader, and the one precedence that turns them into
//! facts (see `super::PRECEDENCE`).

use super::{
    rank, Backing, Contract, Decision, EnvVar, Fact, Facts, Goals, Health, Images, Missing, Port,
    Request, Scenario, Source, User, LOOKED_FOR,
};
use crate::Diagnostic;
use std::path::PathBuf;

#[derive(Default)]
pub struct Collector {
    pub env: Vec<EnvVar>,
    pub ports: Vec<Port>,
    pub health: Vec<Health>,
    pub builder: Vec<Fact<String>>,
    pub runtime: Vec<Fact<String>>,
    pub user: Vec<User>,
    pub packages: Vec<Fact<String>>,
    pub image_size_mb: Vec<Fact<u64>>,
    pub startup_seconds: Vec<Fact<u64>>,
    pub memory_mb: Vec<Fact<u64>>,
    pub stated_goals: Vec<Fact<String>>,
    pub backing: Vec<Backing>,
    pub entities: Vec<Fact<String>>,
    pub decisions: Vec<Decision>,
    pub scenarios: Vec<Scenario>,
    pub contracts: Vec<Contract>,
    pub stages: Vec<Fact<String>>,
    pub warnings: Vec<Diagnostic>,
}

fn order(source: &Source) -> (usize, usize) {
    (rank(&source.file), source.line)
}

pub fn warning(source: &Source, message: String) -> Diagnostic {
    Diagnostic::warning(source.line, message).in_file(PathBuf::from(&source.file))
}

impl Collector {
    /// A contract's requests (health endpoints among them become health
    /// facts) and the ports of its servers.
    pub fn contract(&mut self, contract: &crate::spec::Contract) {
        let at = |line: usize| Source::new(&contract.path, line);
        let requests: Vec<Request> = contract
            .requests
            .iter()
            .map(|r| Request {
                method: r.method.clone(),
                path: r.path.clone(),
                status: r.status,
                auth: r.auth,
                source: at(r.line),
            })
            .collect();
        for request in &requests {
            if request.method == "GET" && super::code::is_health_path(&request.path) {
                self.health.push(Health {
                    method: request.method.clone(),
                    path: request.path.clone(),
                    status: request.status,
                    port: None,
                    service: None,
                    source: request.source.clone(),
                });
            }
        }
        for server in &contract.servers {
            self.ports.extend(server.port.map(|port| Port {
                port,
                service: None,
                source: at(server.line),
            }));
        }
        self.contracts.push(Contract {
            path: contract.path.clone(),
            requests,
        });
    }

    pub fn finish(mut self) -> Facts {
        let env = self.env_facts();
        let ports = owned_first(std::mem::take(&mut self.ports), |p| {
            (p.port.to_string(), p.service.clone())
        });
        let health = owned_first(std::mem::take(&mut self.health), |h| {
            (h.path.clone(), h.service.clone())
        });
        let images = Images {
            builder: self.single("builder image", |c| &mut c.builder),
            runtime: self.single("runtime image", |c| &mut c.runtime),
        };
        let goals = Goals {
            image_size_mb: self.single("image size goal (MB)", |c| &mut c.image_size_mb),
            startup_seconds: self.single("startup goal (s)", |c| &mut c.startup_seconds),
            memory_mb: self.single("memory goal (MB)", |c| &mut c.memory_mb),
            stated: std::mem::take(&mut self.stated_goals),
        };
        let user = self.user_fact();
        let mut facts = Facts {
            env,
            ports,
            health,
            images,
            user,
            packages: unique_by(std::mem::take(&mut self.packages), |p| p.value.clone()),
            goals,
            backing: unique_by(std::mem::take(&mut self.backing), |b| b.name.clone()),
            entities: unique_by(std::mem::take(&mut self.entities), |e| {
                e.value.to_lowercase()
            }),
            decisions: self.decisions,
            scenarios: self.scenarios,
            contracts: self.contracts,
            stages: self.stages,
            missing: Vec::new(),
            warnings: self.warnings,
            notes: Vec::new(),
        };
        facts.missing = missing(&facts);
        facts
    }

    /// The first candidate by precedence; a different value elsewhere is a warning.
    fn single<T: Clone + PartialEq + std::fmt::Display>(
        &mut self,
        what: &str,
        pick: impl Fn(&mut Collector) -> &mut Vec<Fact<T>>,
    ) -> Option<Fact<T>> {
        let mut candidates = std::mem::take(pick(self));
        candidates.sort_by_key(|c| order(&c.source));
        let winner = candidates.first()?.clone();
        for other in &candidates[1..] {
            if other.value != winner.value {
                self.conflict(
                    what,
                    &winner.value,
                    &winner.source,
                    &other.value,
                    &other.source,
                );
            }
        }
        Some(winner)
    }

    fn conflict(
        &mut self,
        what: &str,
        kept: &dyn std::fmt::Display,
        at: &Source,
        dropped: &dyn std::fmt::Display,
        from: &Source,
    ) {
        let message = format!(
            "{what}: `{dropped}` here disagrees with `{kept}` at {at}; using {at} (document precedence)"
        );
        let warning = warning(from, message);
        if !self.warnings.contains(&warning) {
            self.warnings.push(warning);
        }
    }

    /// One variable per name: a definition (default, constraint, owner) beats a
    /// bare mention, then document precedence; the winner takes what it lacks
    /// from the others, and a different default or constraint is a warning.
    fn env_facts(&mut self) -> Vec<EnvVar> {
        let mut candidates = std::mem::take(&mut self.env);
        let bare = |v: &EnvVar| {
            v.default.is_none() && v.constraint.is_none() && v.services.is_empty() && !v.required
        };
        candidates.sort_by_key(|v| (bare(v), order(&v.source)));
        let mut vars: Vec<EnvVar> = Vec::new();
        for candidate in candidates {
            let Some(var) = vars.iter_mut().find(|v| v.name == candidate.name) else {
                vars.push(candidate);
                continue;
            };
            let mut disagreements = Vec::new();
            match (&var.default, &candidate.default) {
                (None, Some(d)) => var.default = Some(d.clone()),
                (Some(a), Some(b)) if a != b => {
                    disagreements.push(("default", a.clone(), b.clone()))
                }
                _ => {}
            }
            match (&var.constraint, &candidate.constraint) {
                (None, Some(c)) => var.constraint = Some(c.clone()),
                (Some(a), Some(b)) if a != b => {
                    disagreements.push(("constraint", a.clone(), b.clone()))
                }
                _ => {}
            }
            if var.services.is_empty() {
                var.services = candidate.services.clone();
            }
            var.required |= candidate.required;
            var.secret |= candidate.secret;
            let (name, at) = (var.name.clone(), var.source.clone());
            for (what, kept, dropped) in disagreements {
                self.conflict(
                    &format!("{name} {what}"),
                    &kept,
                    &at,
                    &dropped,
                    &candidate.source,
                );
            }
        }
        for var in &mut vars {
            if var.secret {
                var.required = true;
                var.default = None;
            }
        }
        vars
    }

    fn user_fact(&mut self) -> Option<User> {
        let mut candidates = std::mem::take(&mut self.user);
        candidates.sort_by_key(|u| order(&u.source));
        let mut user = candidates.first()?.clone();
        for other in &candidates[1..] {
            user.uid = user.uid.or(other.uid);
            user.gid = user.gid.or(other.gid);
            user.name = user.name.clone().or(other.name.clone());
            if other.uid.is_some() && other.uid != user.uid {
                let (kept, dropped) = (display(user.uid), display(other.uid));
                let at = user.source.clone();
                self.conflict("runtime UID", &kept, &at, &dropped, &other.source);
            }
        }
        Some(user)
    }
}

fn display(value: Option<u32>) -> String {
    value.map_or_else(String::new, |v| v.to_string())
}

/// Candidates in precedence order, each key once.
fn unique_by<T, K: PartialEq>(mut items: Vec<T>, key: impl Fn(&T) -> K) -> Vec<T>
where
    T: HasSource,
{
    items.sort_by_key(|item| order(item.source()));
    let mut kept: Vec<T> = Vec::new();
    for item in items {
        if !kept.iter().any(|k| key(k) == key(&item)) {
            kept.push(item);
        }
    }
    kept
}

/// Like `unique_by` on (value, owner); an unowned candidate is dropped when
/// a service owns the same value.
fn owned_first<T: HasSource>(
    items: Vec<T>,
    key: impl Fn(&T) -> (String, Option<String>),
) -> Vec<T> {
    let owned: Vec<String> = items
        .iter()
        .map(&key)
        .filter(|(_, owner)| owner.is_some())
        .map(|(value, _)| value)
        .collect();
    let items = unique_by(items, &key);
    items
        .into_iter()
        .filter(|item| {
            let (value, owner) = key(item);
            owner.is_some() || !owned.contains(&value)
        })
        .collect()
}

pub trait HasSource {
    fn source(&self) -> &Source;
}

macro_rules! has_source {
    ($($t:ty),*) => {$(impl HasSource for $t {
        fn source(&self) -> &Source {
            &self.source
        }
    })*};
}
has_source!(Port, Health, Backing, Fact<String>);

fn missing(facts: &Facts) -> Vec<Missing> {
    let empty = |kind: &str| match kind {
        "env" => facts.env.is_empty(),
        "ports" => facts.ports.is_empty(),
        "health" => facts.health.is_empty(),
        "images" => facts.images.builder.is_none() && facts.images.runtime.is_none(),
        "entities" => facts.entities.is_empty(),
        "decisions" => facts.decisions.is_empty(),
        "scenarios" => facts.scenarios.is_empty(),
        "user" => facts.user.is_none(),
        _ => false,
    };
    LOOKED_FOR
        .iter()
        .filter(|(kind, _)| empty(kind))
        .map(|(kind, looked_for)| Missing { kind, looked_for })
        .collect()
}
