//! Escaping for every language a template writes, one function per place a
//! value can stand. Each is a Handlebars helper of the same name (see
//! `HELPERS`): `{{sh service.dir "/Dockerfile"}}` joins its parameters and
//! writes them as one POSIX shell word. A value a place cannot hold is an
//! error, never a silently changed meaning.
//!
//! | language   | helper        | place                                           |
//! |------------|---------------|-------------------------------------------------|
//! | sh, bash   | `sh`          | one word (command argument, assignment value)   |
//! | sh, bash   | `ident`       | a variable name (`NAME=`, `${NAME:-}`)          |
//! | any        | `num`         | a whole number (ports, ids, seconds)            |
//! | any `#`    | `line`        | a comment, a Markdown line: control chars → ` ` |
//! | YAML       | `yaml`        | a double-quoted scalar                          |
//! | compose    | `compose`     | a double-quoted scalar compose interpolates     |
//! | compose    | `compose_part`| text inside such a scalar (its quotes written by the template, beside `${VAR:?…}`) |
//! | Dockerfile | `docker_str`  | a double-quoted string (`LABEL`, `ARG`)         |
//! | Dockerfile | `docker_json` | a JSON-form list element of `COPY`/`ADD`        |
//! | Dockerfile | `json`        | a JSON string (`CMD`/`ENTRYPOINT` exec form)    |
//! | Dockerfile | `docker_sh`   | a shell word inside a one-line `RUN`            |
//! | Dockerfile | `docker_plain`| a `RUN --mount` option value (checked, not escaped) |
//! | .dockerignore | `dockerignore` | a pattern matching exactly one path         |
//! | Markdown   | `md`          | inline text (table cells included)              |
//! | Markdown   | `md_code`     | a code span                                     |
//! | Rust       | `rust`        | a string literal (`&'static str`)               |
//!
//! Bash reads POSIX single quotes the same way, so `sh` serves both.

/// What a helper does with the joined text of its parameters.
pub type Escape = fn(&str) -> Result<String, String>;

/// Every escaping helper, by name.
pub const HELPERS: [(&str, Escape); 16] = [
    ("sh", sh),
    ("ident", ident),
    ("num", num),
    ("line", line),
    ("yaml", yaml),
    ("compose", compose),
    ("compose_part", compose_part),
    ("docker_str", docker_str),
    ("docker_json", docker_json),
    ("json", json),
    ("docker_sh", docker_sh),
    ("docker_plain", docker_plain),
    ("dockerignore", dockerignore),
    ("md", md),
    ("md_code", md_code),
    ("rust", rust),
];

/// Characters a shell word may hold unquoted (`~` and `=` excluded:
/// tilde expansion and assignments depend on them).
fn sh_plain(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_./:@%+,-".contains(c)
}

/// A NUL cannot be held by any file a template writes.
fn no_nul(value: &str) -> Result<(), String> {
    match value.contains('\0') {
        true => Err(format!("{value:?} holds a NUL character")),
        false => Ok(()),
    }
}

/// One POSIX shell word with exactly the value's text: bare when every
/// character is plain, else single-quoted (`'` written as `'\''`).
pub fn sh(value: &str) -> Result<String, String> {
    no_nul(value)?;
    if !value.is_empty() && value.chars().all(sh_plain) {
        return Ok(value.to_string());
    }
    Ok(format!("'{}'", value.replace('\'', r"'\''")))
}

/// A shell (and environment) variable name, unchanged; anything else is refused.
pub fn ident(value: &str) -> Result<String, String> {
    let mut chars = value.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    match first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        true => Ok(value.to_string()),
        false => Err(format!("{value:?} is not a variable name")),
    }
}

/// A whole number, unchanged; anything else is refused.
pub fn num(value: &str) -> Result<String, String> {
    let digits = value.strip_prefix('-').unwrap_or(value);
    match !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        true => Ok(value.to_string()),
        false => Err(format!("{value:?} is not a whole number")),
    }
}

/// Text that stays on its line: every control character (line breaks,
/// tabs, escapes) and Unicode line or paragraph separator becomes a space.
pub fn line(value: &str) -> Result<String, String> {
    no_nul(value)?;
    Ok(value
        .chars()
        .map(
            |c| match c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
                true => ' ',
                false => c,
            },
        )
        .collect())
}

/// A YAML double-quoted scalar holding exactly the value's text.
pub fn yaml(value: &str) -> Result<String, String> {
    no_nul(value)?;
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            '\u{feff}' => out.push_str("\\uFEFF"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    Ok(out)
}

/// A YAML double-quoted scalar for a value Docker Compose interpolates:
/// every `$` doubled, so compose reads it as a literal `$`.
pub fn compose(value: &str) -> Result<String, String> {
    yaml(&value.replace('$', "$$"))
}

/// The inside of a `compose` scalar, so that a template can put a variable
/// reference beside literal text in one value.
pub fn compose_part(value: &str) -> Result<String, String> {
    let quoted = compose(value)?;
    Ok(quoted[1..quoted.len() - 1].to_string())
}

/// A Dockerfile double-quoted string (as `LABEL` and `ARG` read it): `\`,
/// `"` and `$` escaped. A Dockerfile instruction is one line, so control
/// characters become spaces (this is for free text such as descriptions).
pub fn docker_str(value: &str) -> Result<String, String> {
    let text = line(value)?;
    Ok(format!("\"{}\"", docker_lexer_escape(&text)))
}

/// Backslashes before the characters the Dockerfile word lexer (both
/// BuildKit and the legacy builder) would interpret.
fn docker_lexer_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '"' | '$') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A Rust string literal holding exactly the value's text (`Debug` escapes
/// quotes, backslashes and control characters the way the lexer reads them).
pub fn rust(value: &str) -> Result<String, String> {
    Ok(format!("{value:?}"))
}

/// A JSON string, as an exec-form `CMD`/`ENTRYPOINT` element (no variable
/// substitution there).
pub fn json(value: &str) -> Result<String, String> {
    no_nul(value)?;
    serde_json::to_string(value).map_err(|err| err.to_string())
}

/// An element of a JSON-form `COPY`/`ADD` list, which Docker still reads
/// through its variable lexer: lexer escapes first, then JSON.
pub fn docker_json(value: &str) -> Result<String, String> {
    no_nul(value)?;
    let escaped: String = value
        .chars()
        .flat_map(|c| match c {
            '\\' | '$' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    json(&escaped)
}

/// A shell word inside a `RUN` instruction, which must stay on its line:
/// a value with a line break is refused.
pub fn docker_sh(value: &str) -> Result<String, String> {
    if value.contains(['\n', '\r']) {
        return Err(format!(
            "{value:?} holds a line break, which a Dockerfile RUN line cannot"
        ));
    }
    sh(value)
}

/// A value of a `RUN --mount` option, which BuildKit splits on `,`, `=` and
/// whitespace with its own quoting rules: only plain path characters are
/// accepted, anything else is refused.
pub fn docker_plain(value: &str) -> Result<String, String> {
    let plain = |c: char| c.is_ascii_alphanumeric() || "._/+@-".contains(c);
    match !value.is_empty() && value.chars().all(plain) {
        true => Ok(value.to_string()),
        false => Err(format!(
            "{value:?} cannot be a RUN --mount option (letters, digits and . _ / + @ - only); \
             scaffold with --builder legacy"
        )),
    }
}

/// A `.dockerignore` line matching exactly `value`: pattern characters
/// escaped, a leading `!` or `#` too. Docker trims each line, so
/// surrounding whitespace and line breaks are refused.
pub fn dockerignore(value: &str) -> Result<String, String> {
    if value.trim() != value || value.is_empty() || value.chars().any(char::is_control) {
        return Err(format!(
            "{value:?} cannot be a .dockerignore line (empty, surrounding spaces or control characters)"
        ));
    }
    let mut out = String::with_capacity(value.len() + 1);
    if value.starts_with(['!', '#']) {
        out.push('\\');
    }
    for c in value.chars() {
        if "\\*?[]".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    Ok(out)
}

/// Markdown inline text, table cells included: one line, with every
/// character Markdown (or a GitHub table) would read as markup backslash-escaped.
pub fn md(value: &str) -> Result<String, String> {
    let text = line(value)?;
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\`*_[]<>|&~#!".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    Ok(out)
}

/// A Markdown code span showing exactly the value's text (on one line):
/// fenced by more backquotes than the longest run inside, padded when it
/// starts or ends with a backquote, `|` escaped for GitHub tables.
pub fn md_code(value: &str) -> Result<String, String> {
    let text = line(value)?.replace('|', "\\|");
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = match text.starts_with('`') || text.ends_with('`') {
        true => " ",
        false => "",
    };
    Ok(format!("{fence}{pad}{text}{pad}{fence}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    const HOSTILE: [&str; 9] = [
        "plain",
        "a'$(touch pwned)'b",
        "\"; touch pwned; echo \"",
        "`touch pwned`",
        "line\nbreak",
        "back\\slash\\",
        "-rf",
        "naïve ünïcödé ✓",
        "",
    ];

    /// What `sh` makes of `word`: printf's argument, exactly.
    fn sh_reads(shell: &str, word: &str) -> String {
        let out = Command::new(shell)
            .arg("-c")
            .arg(format!("printf '%s' {word}"))
            .output()
            .expect("run the shell");
        assert!(out.status.success(), "{word}: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    }

    #[test]
    fn rust_string_literals_hold_the_exact_text() {
        assert_eq!(rust("plain").unwrap(), "\"plain\"");
        assert_eq!(
            rust("a\"b\\c\nd\u{7}").unwrap(),
            "\"a\\\"b\\\\c\\nd\\u{7}\""
        );
    }

    #[test]
    fn sh_words_read_back_exactly_in_sh_and_bash() {
        for value in HOSTILE {
            let word = sh(value).unwrap();
            for shell in ["sh", "bash"] {
                assert_eq!(sh_reads(shell, &word), value, "{shell} {word}");
            }
        }
        assert_eq!(sh("docker/greeter-1.0").unwrap(), "docker/greeter-1.0");
        assert_eq!(sh("~x").unwrap(), "'~x'");
        assert_eq!(sh("a=b").unwrap(), "'a=b'");
        assert!(sh("nul\0").is_err());
    }

    /// Random strings over the characters that matter to some language.
    fn random_values(count: usize) -> Vec<String> {
        const ALPHABET: [char; 24] = [
            'a', 'Z', '0', ' ', '\'', '"', '`', '$', '(', ')', '{', '}', '\\', '\n', '\t', '-',
            '*', '?', '[', '#', '!', ';', '|', 'ü',
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        (0..count)
            .map(|_| {
                let len = (next() % 12) as usize;
                (0..len)
                    .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
                    .collect()
            })
            .collect()
    }

    #[test]
    fn random_values_read_back_exactly_as_sh_words_and_yaml_scalars() {
        let values = random_values(500);
        let words: Vec<String> = values.iter().map(|v| sh(v).unwrap()).collect();
        for shell in ["sh", "bash"] {
            let out = Command::new(shell)
                .arg("-c")
                .arg(format!("printf '%s\\0' {}", words.join(" ")))
                .output()
                .expect("run the shell");
            assert!(out.status.success(), "{shell}: {out:?}");
            let read: Vec<&str> = std::str::from_utf8(&out.stdout)
                .unwrap()
                .split_terminator('\0')
                .collect();
            assert_eq!(read, values, "{shell}");
        }
        for value in &values {
            let parsed: String = serde_json::from_str(&yaml(value).unwrap()).unwrap();
            assert_eq!(&parsed, value);
            assert!(!line(value).unwrap().contains(['\n', '\r']));
            assert!(!md_code(value).unwrap().contains('\n'));
        }
    }

    #[test]
    fn names_and_numbers_are_checked_not_changed() {
        assert_eq!(ident("GREETER_PORT").unwrap(), "GREETER_PORT");
        assert_eq!(ident("_x1").unwrap(), "_x1");
        for bad in ["", "1X", "A-B", "A B", "A$(x)", "É"] {
            assert!(ident(bad).is_err(), "{bad}");
        }
        assert_eq!(num("8080").unwrap(), "8080");
        assert_eq!(num("-1").unwrap(), "-1");
        for bad in ["", "-", "1.5", "8080; x", "١"] {
            assert!(num(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn line_keeps_text_on_one_line() {
        assert_eq!(line("a\nb\r\tc\u{2028}d").unwrap(), "a b  c d");
        assert_eq!(line("naïve `x`").unwrap(), "naïve `x`");
    }

    #[test]
    fn yaml_scalars_parse_back_exactly() {
        for value in HOSTILE
            .iter()
            .copied()
            .chain(["\u{7}bell", "tab\t", "x: y #z"])
        {
            let scalar = yaml(value).unwrap();
            // JSON reads the YAML double-quoted escapes used here the same way.
            let parsed: serde_json::Value = serde_json::from_str(&scalar).unwrap();
            assert_eq!(
                parsed,
                serde_json::Value::String(value.to_string()),
                "{scalar}"
            );
        }
        assert_eq!(compose("a$b").unwrap(), "\"a$$b\"");
        assert_eq!(
            compose_part("u\"s$r\n").unwrap(),
            "u\\\"s$$r\\n",
            "the scalar's inside: escaped, without its quotes"
        );
    }

    #[test]
    fn dockerfile_strings_escape_the_lexer_characters() {
        assert_eq!(
            docker_str("say \"hi\" for $5 \\ `now`\nplease").unwrap(),
            r#""say \"hi\" for \$5 \\ `now` please""#
        );
        assert_eq!(docker_json("c$d\\e").unwrap(), r#""c\\$d\\\\e""#);
        assert_eq!(json("a\"b\nc").unwrap(), r#""a\"b\nc""#);
        assert_eq!(docker_sh("a b").unwrap(), "'a b'");
        assert!(docker_sh("a\nb").is_err());
        assert_eq!(docker_plain("crates/a-1.0").unwrap(), "crates/a-1.0");
        for bad in ["", "a,b", "a b", "a=b", "a\"b", "$x"] {
            assert!(docker_plain(bad).is_err(), "{bad:?}");
        }
        assert_eq!(dockerignore("docker/test").unwrap(), "docker/test");
        assert_eq!(dockerignore("!a*[b]?\\").unwrap(), r"\!a\*\[b\]\?\\");
        assert_eq!(dockerignore("#x").unwrap(), r"\#x");
        for bad in ["", " x", "x ", "a\nb"] {
            assert!(dockerignore(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn markdown_text_and_code_spans() {
        assert_eq!(md("a|b *c* <d>\ne").unwrap(), r"a\|b \*c\* \<d\> e");
        assert_eq!(md_code("docker/x").unwrap(), "`docker/x`");
        assert_eq!(md_code("a`b").unwrap(), "``a`b``");
        assert_eq!(md_code("`x").unwrap(), "`` `x ``");
        assert_eq!(md_code("a|b").unwrap(), r"`a\|b`");
    }
}
