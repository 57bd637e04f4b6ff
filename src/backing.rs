//! Backing services in compose.yaml (a database, a cache, a broker the
//! documents name): what each kind of image needs (health check, data
//! directory, port, credential variables, URL form) and how the feature's
//! connection variables (`DATABASE_URL`, `REDIS_HOST`, `DB_PORT`, …) are
//! wired to them. Pure: facts in, values out.

use crate::facts::{Backing, EnvVar};
use serde::Serialize;

/// What compose needs to know about one family of backing images.
#[derive(Debug, PartialEq, Eq)]
pub struct Kind {
    pub family: &'static str,
    images: &'static [&'static str],
    port: u16,
    data_dir: &'static str,
    /// Words of a variable name that mean this kind (`DATABASE` in `DATABASE_URL`).
    words: &'static [&'static str],
    user_var: Option<&'static str>,
    database_var: Option<&'static str>,
    password_var: Option<&'static str>,
    /// Settings the image needs that no document is expected to name.
    fixed: &'static [(&'static str, &'static str)],
    scheme: &'static str,
    /// The health check's command; `{user}`, `{database}` and `{port}` are replaced.
    health: &'static [&'static str],
}

const SQL_WORDS: [&str; 4] = ["DATABASE", "DB", "SQL", "RDBMS"];

/// The kinds compose.yaml knows; other backing images (memcached, nats,
/// kafka, …) get no health check and no volume: compose only starts them.
pub const KINDS: [Kind; 7] = [
    Kind {
        family: "postgres",
        images: &["postgres", "postgis/postgis"],
        port: 5432,
        data_dir: "/var/lib/postgresql/data",
        words: &[
            "POSTGRES",
            "POSTGRESQL",
            "PG",
            "PGSQL",
            SQL_WORDS[0],
            SQL_WORDS[1],
            SQL_WORDS[2],
            SQL_WORDS[3],
        ],
        user_var: Some("POSTGRES_USER"),
        database_var: Some("POSTGRES_DB"),
        password_var: Some("POSTGRES_PASSWORD"),
        fixed: &[],
        scheme: "postgres",
        health: &[
            "pg_isready",
            "-h",
            "127.0.0.1",
            "-p",
            "{port}",
            "-U",
            "{user}",
            "-d",
            "{database}",
        ],
    },
    Kind {
        family: "mysql",
        images: &["mysql"],
        port: 3306,
        data_dir: "/var/lib/mysql",
        words: &[
            "MYSQL",
            SQL_WORDS[0],
            SQL_WORDS[1],
            SQL_WORDS[2],
            SQL_WORDS[3],
        ],
        user_var: Some("MYSQL_USER"),
        database_var: Some("MYSQL_DATABASE"),
        password_var: Some("MYSQL_PASSWORD"),
        fixed: &[("MYSQL_RANDOM_ROOT_PASSWORD", "yes")],
        scheme: "mysql",
        health: &["mysqladmin", "ping", "-h", "127.0.0.1", "-P", "{port}"],
    },
    Kind {
        family: "mariadb",
        images: &["mariadb"],
        port: 3306,
        data_dir: "/var/lib/mysql",
        words: &[
            "MARIADB",
            "MYSQL",
            SQL_WORDS[0],
            SQL_WORDS[1],
            SQL_WORDS[2],
            SQL_WORDS[3],
        ],
        user_var: Some("MARIADB_USER"),
        database_var: Some("MARIADB_DATABASE"),
        password_var: Some("MARIADB_PASSWORD"),
        fixed: &[("MARIADB_RANDOM_ROOT_PASSWORD", "yes")],
        scheme: "mysql",
        health: &["healthcheck.sh", "--connect", "--innodb_initialized"],
    },
    Kind {
        family: "mongo",
        images: &["mongo"],
        port: 27017,
        data_dir: "/data/db",
        words: &["MONGO", "MONGODB"],
        user_var: Some("MONGO_INITDB_ROOT_USERNAME"),
        // The root user authenticates against `admin`: its URL names no database.
        database_var: None,
        password_var: Some("MONGO_INITDB_ROOT_PASSWORD"),
        fixed: &[],
        scheme: "mongodb",
        health: &["mongosh", "--quiet", "--eval", "db.adminCommand('ping').ok"],
    },
    Kind {
        family: "redis",
        images: &["redis"],
        port: 6379,
        data_dir: "/data",
        words: &["REDIS", "CACHE"],
        user_var: None,
        database_var: None,
        password_var: None,
        fixed: &[],
        scheme: "redis",
        health: &["redis-cli", "-p", "{port}", "ping"],
    },
    Kind {
        family: "valkey",
        images: &["valkey/valkey"],
        port: 6379,
        data_dir: "/data",
        words: &["VALKEY", "REDIS", "CACHE"],
        user_var: None,
        database_var: None,
        password_var: None,
        fixed: &[],
        scheme: "redis",
        health: &["valkey-cli", "-p", "{port}", "ping"],
    },
    Kind {
        family: "rabbitmq",
        images: &["rabbitmq"],
        port: 5672,
        data_dir: "/var/lib/rabbitmq",
        words: &["RABBITMQ", "RABBIT", "AMQP", "BROKER"],
        user_var: Some("RABBITMQ_DEFAULT_USER"),
        database_var: None,
        password_var: Some("RABBITMQ_DEFAULT_PASS"),
        fixed: &[],
        scheme: "amqp",
        health: &["rabbitmq-diagnostics", "-q", "ping"],
    },
];

/// Whether the feature gets compose.yaml (and its test): several
/// containers, or one beside backing services.
pub fn compose(multi: bool, facts: &crate::facts::Facts) -> bool {
    multi || !facts.backing.is_empty()
}

/// User and database names when the documents give none.
pub const DEFAULT_NAME: &str = "app";

/// The kind of `image` (`postgres:15`, `docker.io/library/redis`), if known.
pub fn kind_of(image: &str) -> Option<&'static Kind> {
    let name = image.split(['@', ':']).next().unwrap_or(image);
    let name = name.strip_prefix("docker.io/").unwrap_or(name);
    let name = name.strip_prefix("library/").unwrap_or(name);
    KINDS.iter().find(|kind| kind.images.contains(&name))
}

/// A piece of a compose value: literal text, or a variable passed from the shell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Part {
    pub text: Option<String>,
    pub var: Option<String>,
}

impl Part {
    fn text(text: impl Into<String>) -> Part {
        Part {
            text: Some(text.into()),
            var: None,
        }
    }

    fn var(name: &str) -> Part {
        Part {
            text: None,
            var: Some(name.to_string()),
        }
    }
}

/// A variable of a backing container: a value, or (secrets) passed by variable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Setting {
    pub name: String,
    pub value: Parts,
}

pub type Parts = Vec<Part>;

/// The named volume holding a backing service's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Volume {
    pub name: String,
    pub path: String,
}

/// A backing service as compose.yaml runs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Service {
    /// A compose service name, which is also its host name on the network.
    pub name: String,
    pub image: String,
    pub port: Option<u16>,
    pub environment: Vec<Setting>,
    /// The health check command (`CMD` form); empty when the kind is unknown.
    pub healthcheck: Vec<String>,
    pub volume: Option<Volume>,
    #[serde(skip)]
    kind: Option<&'static Kind>,
    #[serde(skip)]
    user: Option<String>,
    #[serde(skip)]
    database: Option<String>,
    /// The variable its password is passed in.
    #[serde(skip)]
    password_var: Option<String>,
}

/// What a connection variable names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Url,
    Address,
    Host,
    Port,
    User,
    Database,
    Password,
}

/// `NOTES_DB_URL` → (["NOTES", "DB"], Url); `PGHOST` → (["PG"], Host).
fn connection(name: &str) -> Option<(Vec<&str>, Role)> {
    let words: Vec<&str> = name.split('_').filter(|w| !w.is_empty()).collect();
    let (last, prefix) = match words.split_last() {
        Some((last, prefix)) if !prefix.is_empty() => (*last, prefix.to_vec()),
        Some((last, _)) => {
            let rest = last.strip_prefix("PG")?;
            return role(rest).map(|role| (vec!["PG"], role));
        }
        None => return None,
    };
    role(last).map(|role| (prefix, role))
}

fn role(word: &str) -> Option<Role> {
    Some(match word {
        "URL" | "URI" | "DSN" => Role::Url,
        "ADDR" | "ADDRESS" => Role::Address,
        "HOST" | "HOSTNAME" => Role::Host,
        "PORT" => Role::Port,
        "USER" | "USERNAME" => Role::User,
        "DB" | "DATABASE" | "NAME" | "DBNAME" => Role::Database,
        "PASSWORD" | "PASS" | "PASSWD" => Role::Password,
        _ => return None,
    })
}

/// The backing service a connection variable's prefix names: by its
/// service name first (`CACHE_URL` → `cache`), else by its kind.
fn target(prefix: &[&str], services: &[Service]) -> Option<usize> {
    services
        .iter()
        .position(|s| {
            let name = s.name.to_ascii_uppercase();
            let words: Vec<&str> = name.split('-').collect();
            prefix.windows(words.len()).any(|w| w == words)
        })
        .or_else(|| {
            services.iter().position(|s| {
                s.kind
                    .is_some_and(|k| prefix.iter().any(|w| k.words.contains(w)))
            })
        })
}

/// `postgres://shop:pw@localhost:5432/shopdb?x` → (Some("shop"), Some("shopdb")).
fn url_names(url: &str) -> (Option<String>, Option<String>) {
    let Some((_, rest)) = url.split_once("://") else {
        return (None, None);
    };
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let user = authority
        .rsplit_once('@')
        .map(|(info, _)| info.split(':').next().unwrap_or(info).to_string());
    let database = path.split(['?', '#']).next().unwrap_or("");
    let plain = |s: &String| !s.is_empty() && !s.contains('$');
    (user.filter(plain), Some(database.to_string()).filter(plain))
}

/// A valid compose service (and DNS) name from a document's name: lower
/// case letters, digits and `-`, unique among `taken`.
fn service_name(raw: &str, fallback: &str, taken: &[String]) -> String {
    let cleaned: String = raw
        .chars()
        .map(|c| match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9' | '-') => c,
            _ => '-',
        })
        .collect();
    let cleaned = cleaned.trim_matches('-');
    let base = if cleaned.is_empty() {
        fallback
    } else {
        cleaned
    };
    let mut name = base.to_string();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{base}-{n}");
        n += 1;
    }
    name
}

/// The backing services of `backing`, with users, databases and password
/// variables taken from the documents (their settings, then the defaults of
/// the connection variables in `env`), named apart from `own` services.
pub fn services(backing: &[Backing], env: &[EnvVar], own: &[String]) -> Vec<Service> {
    let mut taken: Vec<String> = own.to_vec();
    let mut services: Vec<Service> = Vec::new();
    for b in backing {
        let kind = kind_of(&b.image);
        let fallback = kind.map_or("backing", |k| k.family);
        let name = service_name(&b.name, fallback, &taken);
        taken.push(name.clone());
        let setting = |var: Option<&str>| {
            let var = var?;
            b.settings
                .iter()
                .find(|(n, _)| n == var)
                .and_then(|(_, v)| v.clone())
        };
        services.push(Service {
            name,
            image: b.image.clone(),
            port: b.ports.first().copied().or(kind.map(|k| k.port)),
            environment: Vec::new(),
            healthcheck: Vec::new(),
            volume: None,
            user: kind.and_then(|k| setting(k.user_var)),
            database: kind.and_then(|k| setting(k.database_var)),
            password_var: None,
            kind,
        });
    }
    for var in env {
        let Some((prefix, role)) = connection(&var.name) else {
            continue;
        };
        let Some(at) = target(&prefix, &services) else {
            continue;
        };
        let service = &mut services[at];
        let default = var.default.clone().filter(|d| !d.contains('$'));
        match role {
            Role::Url => {
                let (user, database) = default.as_deref().map(url_names).unwrap_or_default();
                service.user = service.user.take().or(user);
                service.database = service.database.take().or(database);
            }
            Role::User => service.user = service.user.take().or(default),
            Role::Database => service.database = service.database.take().or(default),
            Role::Password => {
                service.password_var = service.password_var.take().or(Some(var.name.clone()))
            }
            _ => {}
        }
    }
    for (service, b) in services.iter_mut().zip(backing) {
        complete(service, b);
    }
    services
}

/// Fills in what compose renders: settings, health check, volume.
fn complete(service: &mut Service, backing: &Backing) {
    let Some(kind) = service.kind else {
        service.environment = backing
            .settings
            .iter()
            .map(|(name, value)| setting(name, value.as_deref()))
            .collect();
        return;
    };
    // Only the names the kind has a variable for: a Redis URL names no user.
    let name_if = |var: Option<&str>, name: &mut Option<String>| {
        *name = var.map(|_| name.take().unwrap_or_else(|| DEFAULT_NAME.to_string()));
        name.clone().unwrap_or_default()
    };
    let user = name_if(kind.user_var, &mut service.user);
    let database = name_if(kind.database_var, &mut service.database);
    if service.password_var.is_none() {
        service.password_var = kind.password_var.map(str::to_string);
    }
    let mut environment = Vec::new();
    let mut known = |name: Option<&str>, value: Parts| {
        if let Some(name) = name {
            environment.push(Setting {
                name: name.to_string(),
                value,
            });
        }
    };
    known(kind.user_var, vec![Part::text(&user)]);
    known(kind.database_var, vec![Part::text(&database)]);
    known(
        kind.password_var,
        service.password_var.iter().map(|v| Part::var(v)).collect(),
    );
    for (name, value) in &backing.settings {
        let own = [kind.user_var, kind.database_var, kind.password_var];
        if !own.contains(&Some(name.as_str())) {
            environment.push(setting(name, value.as_deref()));
        }
    }
    for (name, value) in kind.fixed {
        let root_named = backing.settings.iter().any(|(n, _)| n.contains("ROOT"));
        if !root_named {
            environment.push(setting(name, Some(value)));
        }
    }
    service.environment = environment;
    let port = service.port.unwrap_or(kind.port).to_string();
    service.healthcheck = kind
        .health
        .iter()
        .map(|arg| {
            arg.replace("{user}", &user)
                .replace("{database}", &database)
                .replace("{port}", &port)
        })
        .collect();
    service.volume = Some(Volume {
        name: format!("{}-data", service.name),
        path: kind.data_dir.to_string(),
    });
}

/// A document's setting: its value, or (a secret, a shell reference) passed by variable.
fn setting(name: &str, value: Option<&str>) -> Setting {
    Setting {
        name: name.to_string(),
        value: match value {
            Some(value) => vec![Part::text(value)],
            None => vec![Part::var(name)],
        },
    }
}

/// Whether a URL as the documents write it carries a password
/// (`postgres://shop:pw@host/db`, `…:${PW}@…`), not just a user.
fn url_has_password(url: &str) -> bool {
    let Some((_, rest)) = url.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    authority
        .rsplit_once('@')
        .is_some_and(|(info, _)| info.contains(':'))
}

/// The value compose gives the connection variable `var` of a feature's
/// service, which reads the variables `reads`: its host is the backing
/// service's name, its port the backing service's, its password passed by
/// variable. A URL carries the password (which compose substitutes as it is,
/// so it must be URL-safe) unless the service reads the backing service's
/// password variable itself and the documents' URL shows none: then the
/// password is passed apart only. The password variable is wired to itself,
/// so that the service and the backing service get the same value. `None` for
/// anything that is not a connection variable of a backing service, and for
/// other secrets (the user passes those).
pub fn wire(var: &EnvVar, services: &[Service], reads: &[String]) -> Option<Parts> {
    let (prefix, role) = connection(&var.name)?;
    if var.secret && role != Role::Password {
        return None;
    }
    let service = &services[target(&prefix, services)?];
    if role == Role::Password {
        return (service.password_var.as_deref() == Some(var.name.as_str()))
            .then(|| vec![Part::var(&var.name)]);
    }
    let port = service.port?.to_string();
    let text = |s: String| Some(vec![Part::text(s)]);
    match role {
        Role::Host => text(service.name.clone()),
        Role::Port => text(port),
        Role::Address => text(format!("{}:{port}", service.name)),
        Role::User => service.user.clone().and_then(text),
        Role::Database => service.database.clone().and_then(text),
        Role::Password => None, // wired above
        Role::Url => {
            let kind = service.kind?;
            let scheme = var
                .default
                .as_deref()
                .and_then(|d| d.split_once("://"))
                .map_or(kind.scheme, |(scheme, _)| scheme);
            let mut parts = vec![Part::text(format!("{scheme}://"))];
            let apart = service.password_var.as_ref().is_some_and(|password| {
                reads.contains(password) && !var.default.as_deref().is_some_and(url_has_password)
            });
            match (&service.user, &service.password_var) {
                (Some(user), Some(_)) if apart => parts.push(Part::text(format!("{user}@"))),
                (Some(user), Some(password)) => {
                    parts.push(Part::text(format!("{user}:")));
                    parts.push(Part::var(password));
                    parts.push(Part::text("@"));
                }
                _ => {}
            }
            let mut rest = format!("{}:{port}", service.name);
            if let Some(database) = &service.database {
                rest.push('/');
                rest.push_str(database);
            }
            parts.push(Part::text(rest));
            Some(parts)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Source;

    fn backing(name: &str, image: &str, settings: &[(&str, Option<&str>)]) -> Backing {
        Backing {
            name: name.to_string(),
            image: image.to_string(),
            ports: Vec::new(),
            settings: settings
                .iter()
                .map(|(n, v)| (n.to_string(), v.map(str::to_string)))
                .collect(),
            source: Source::new("quickstart.md", 1),
        }
    }

    fn var(name: &str, default: Option<&str>) -> EnvVar {
        let mut var = crate::facts::EnvVar {
            name: name.to_string(),
            default: default.map(str::to_string),
            constraint: None,
            required: false,
            secret: false,
            services: Vec::new(),
            source: Source::new("configuration.md", 1),
        };
        var.secret = name.ends_with("PASSWORD") || name.ends_with("TOKEN");
        var
    }

    /// A compose value as compose.yaml spells it.
    fn spelled(parts: &Parts) -> String {
        parts
            .iter()
            .map(|p| match (&p.text, &p.var) {
                (Some(text), _) => text.clone(),
                (_, Some(var)) => format!("${{{var}}}"),
                _ => unreachable!(),
            })
            .collect()
    }

    #[test]
    fn images_name_their_kind() {
        assert_eq!(kind_of("postgres:15").unwrap().family, "postgres");
        assert_eq!(
            kind_of("docker.io/library/postgres@sha256:ab")
                .unwrap()
                .family,
            "postgres"
        );
        assert_eq!(
            kind_of("postgis/postgis:16-3.4").unwrap().family,
            "postgres"
        );
        assert_eq!(kind_of("valkey/valkey:8").unwrap().family, "valkey");
        assert_eq!(kind_of("memcached:1.6"), None);
        assert_eq!(kind_of("example/postgres"), None);
    }

    #[test]
    fn connection_variables_name_a_role_after_a_prefix() {
        assert_eq!(
            connection("DATABASE_URL"),
            Some((vec!["DATABASE"], Role::Url))
        );
        assert_eq!(
            connection("NOTES_DB_URL"),
            Some((vec!["NOTES", "DB"], Role::Url))
        );
        assert_eq!(connection("PGHOST"), Some((vec!["PG"], Role::Host)));
        assert_eq!(connection("DB_NAME"), Some((vec!["DB"], Role::Database)));
        assert_eq!(connection("PORT"), None, "a service's own port");
        assert_eq!(connection("CACHE_TTL"), None);
        assert_eq!(connection("URL"), None);
        let named = |name: &str| Service {
            name: name.to_string(),
            ..services(&[backing(name, "memcached", &[])], &[], &[])[0].clone()
        };
        let cache = [named("ledger-cache"), named("a")];
        assert_eq!(target(&["APP", "LEDGER", "CACHE"], &cache), Some(0));
        assert_eq!(target(&["DATA"], &cache), None, "whole words only");
        assert_eq!(target(&["A"], &cache), Some(1));
    }

    #[test]
    fn postgres_gets_credentials_health_check_volume_and_wired_variables() {
        let env = [
            var(
                "DATABASE_URL",
                Some("postgres://shop:shop@localhost:5432/shop"),
            ),
            var("DB_HOST", Some("localhost")),
            var("DB_PORT", Some("5432")),
            var("DB_PASSWORD", None),
            var("SHOP_PORT", Some("8080")),
            var("REDIS_URL", Some("redis://localhost:6379/0")),
        ];
        let backing = [
            backing("db", "postgres:15", &[("POSTGRES_PASSWORD", None)]),
            backing("cache", "redis:7", &[]),
        ];
        let services = services(&backing, &env, &["api".to_string()]);
        let [db, cache] = services.as_slice() else {
            panic!("{services:?}")
        };
        assert_eq!((db.name.as_str(), db.port), ("db", Some(5432)));
        assert_eq!(
            db.healthcheck,
            [
                "pg_isready",
                "-h",
                "127.0.0.1",
                "-p",
                "5432",
                "-U",
                "shop",
                "-d",
                "shop"
            ]
        );
        let settings: Vec<(String, String)> = db
            .environment
            .iter()
            .map(|s| (s.name.clone(), spelled(&s.value)))
            .collect();
        let owned = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(
            settings,
            [
                owned("POSTGRES_USER", "shop"),
                owned("POSTGRES_DB", "shop"),
                owned("POSTGRES_PASSWORD", "${DB_PASSWORD}"),
            ],
            "the service's password variable is the database's"
        );
        assert_eq!(
            db.volume,
            Some(Volume {
                name: "db-data".into(),
                path: "/var/lib/postgresql/data".into()
            })
        );
        let reads: Vec<String> = env.iter().map(|v| v.name.clone()).collect();
        let wired: Vec<Option<String>> = env
            .iter()
            .map(|v| wire(v, &services, &reads).as_ref().map(spelled))
            .collect();
        assert_eq!(
            wired,
            [
                Some("postgres://shop:${DB_PASSWORD}@db:5432/shop".to_string()),
                Some("db".to_string()),
                Some("5432".to_string()),
                Some("${DB_PASSWORD}".to_string()),
                None,
                Some("redis://cache:6379".to_string()),
            ]
        );
        assert_eq!(cache.healthcheck, ["redis-cli", "-p", "6379", "ping"]);
        assert!(cache.environment.is_empty());
        assert_eq!(cache.volume.as_ref().unwrap().path, "/data");
    }

    #[test]
    fn a_url_carries_the_password_unless_the_service_reads_it_apart() {
        assert!(url_has_password("postgres://shop:pw@localhost/shop"));
        assert!(url_has_password("mysql://u:${PW}@h:3306/d?x=a@b"));
        assert!(!url_has_password("postgres://shop@localhost/shop"));
        assert!(!url_has_password("postgres://localhost/a:b@c"));
        assert!(!url_has_password("localhost:5432"));
        let backing = [backing(
            "db",
            "postgres:16",
            &[("POSTGRES_USER", Some("shop"))],
        )];
        // (documented URL, variables the service reads) → the wired URL; the
        // password variable is wired to itself, the database gets it too.
        let cases = [
            (
                Some("postgres://shop@localhost/shop"),
                &["DB_PASSWORD"][..],
                "postgres://shop@db:5432/shop",
            ),
            (None, &["DB_PASSWORD"][..], "postgres://shop@db:5432/app"),
            (
                Some("postgres://shop:shop@localhost/shop"),
                &["DB_PASSWORD"][..],
                "postgres://shop:${DB_PASSWORD}@db:5432/shop",
            ),
            (
                Some("postgres://shop@localhost/shop"),
                &[][..],
                "postgres://shop:${DB_PASSWORD}@db:5432/shop",
            ),
            (None, &["PGPASSWORD"][..], "postgres://shop@db:5432/app"),
        ];
        for (default, reads, url) in cases {
            let password_var = reads.first().copied().unwrap_or("DB_PASSWORD");
            let env = [var("DATABASE_URL", default), var(password_var, None)];
            let services = services(&backing, &env, &[]);
            let reads: Vec<String> = reads.iter().map(|r| r.to_string()).collect();
            let spelled_wire = |v| wire(v, &services, &reads).as_ref().map(spelled);
            assert_eq!(
                (
                    spelled_wire(&env[0]).as_deref(),
                    spelled_wire(&env[1]).as_deref()
                ),
                (Some(url), Some(format!("${{{password_var}}}").as_str())),
                "{default:?} {reads:?}"
            );
            assert_eq!(
                spelled(&services[0].environment[2].value),
                format!("${{{password_var}}}"),
                "the database gets the same variable"
            );
        }
        let services = services(&backing, &[var("DB_PASSWORD", None)], &[]);
        assert_eq!(
            wire(&var("DATABASE_PASSWORD", None), &services, &[]),
            None,
            "not the database's password variable"
        );
    }

    #[test]
    fn defaults_names_and_unknown_kinds() {
        let backing = [
            backing(
                "Postgres DB!",
                "postgres:16",
                &[("POSTGRES_INITDB_ARGS", Some("--data-checksums"))],
            ),
            backing("api", "memcached:1.6", &[("MEMCACHED_TOKEN", None)]),
        ];
        let env = [
            var("PGHOST", None),
            var("DATABASE_URL", Some("${FROM_SHELL}")),
        ];
        let services = services(&backing, &env, &["api".to_string()]);
        let [db, memcached] = services.as_slice() else {
            panic!("{services:?}")
        };
        assert_eq!(db.name, "postgres-db", "a valid host name");
        assert_eq!(
            memcached.name, "api-2",
            "apart from the feature's own services"
        );
        assert_eq!(db.password_var.as_deref(), Some("POSTGRES_PASSWORD"));
        let names: Vec<&str> = db.environment.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "POSTGRES_USER",
                "POSTGRES_DB",
                "POSTGRES_PASSWORD",
                "POSTGRES_INITDB_ARGS"
            ]
        );
        assert_eq!(
            spelled(&wire(&env[1], &services, &[]).unwrap()),
            "postgres://app:${POSTGRES_PASSWORD}@postgres-db:5432/app"
        );
        assert_eq!(
            spelled(&wire(&env[0], &services, &[]).unwrap()),
            "postgres-db"
        );
        assert!(memcached.healthcheck.is_empty() && memcached.volume.is_none());
        assert_eq!(memcached.port, None);
        assert_eq!(
            spelled(&memcached.environment[0].value),
            "${MEMCACHED_TOKEN}"
        );
        let mut secret = var("DATABASE_URL", None);
        secret.secret = true;
        assert_eq!(
            wire(&secret, &services, &[]),
            None,
            "a secret is passed by the user"
        );
    }
}
