//! ringside-core's top-level modules depend on each other without cycles: each `crate::x`
//! path in `src/` (outside comments and strings) is an edge from the module the file belongs
//! to, and the graph of those edges must have no cycle beyond the few listed in
//! [`LEFT_FOR_LATER`]. A cycle means two modules can only be understood, tested and changed
//! together (issue 16, item 4: date helpers living in `intents`/`record_edit` tied
//! `call_log → intents → record_edit → edit_queue → outbox → call_log`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Edges that still close a cycle, each to be untied (issue 16 item 4, second part), never
/// added to: the test fails when one of them is gone, so the list only shrinks.
/// `events` takes the call id and the call-log limits from `call_log`
/// (`external_call_id`, `MAX_CALL_SECONDS`, `MAX_NUMBER_CHARS`) while the call form
/// (`call_log::draft`) is driven by events and the pop; those belong below both.
const LEFT_FOR_LATER: &[(&str, &str)] = &[("events", "call_log")];

/// `(from, to)` → where the first reference was seen (`src/x.rs:12`).
type Edges = BTreeMap<(String, String), String>;

#[test]
fn top_level_modules_form_no_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = read_tree(&src, &src);
    let lib = files
        .get("lib.rs")
        .expect("src/lib.rs is where the modules are declared");
    let modules = declared_modules(lib);
    assert!(
        modules.len() > 20 && modules.contains("time") && modules.contains("call_log"),
        "the module list is read from lib.rs: {modules:?}"
    );
    let mut edges = module_edges(&files, &modules);
    assert!(
        edges.contains_key(&("record_edit".into(), "time".into())),
        "the scan sees `crate::time::…` in record_edit.rs (else it sees nothing)"
    );
    for (from, to) in LEFT_FOR_LATER {
        let key = (from.to_string(), to.to_string());
        assert!(
            edges.remove(&key).is_some(),
            "{from} → {to} is listed in LEFT_FOR_LATER but no longer exists: delete it there"
        );
    }
    if let Some(cycle) = find_cycle(&edges) {
        panic!(
            "module cycle among ringside-core's top-level modules: {}\n\nwhere:\n{}\n\nmodules found: {}",
            cycle.join(" → "),
            cycle
                .windows(2)
                .map(|w| format!(
                    "  {} → {} at {}",
                    w[0],
                    w[1],
                    edges[&(w[0].clone(), w[1].clone())]
                ))
                .collect::<Vec<_>>()
                .join("\n"),
            modules.iter().cloned().collect::<Vec<_>>().join(", ")
        );
    }
}

#[test]
fn a_cycle_through_a_grouped_use_is_found_and_comments_are_not_code() {
    let files: BTreeMap<String, String> = [
        ("a.rs", "use crate::{\n    b::Thing,\n    c,\n};\n"),
        ("b.rs", "fn f() { crate::a::g(); }\n"),
        (
            "c.rs",
            "// crate::a in a comment\nconst S: &str = \"crate::a\"; /* crate::a */\nconst R: &str = r#\"crate::a\"#;\nfn g<'x>(c: char) -> bool { c == '\"' }\n",
        ),
    ]
    .into_iter()
    .map(|(p, t)| (p.to_owned(), t.to_owned()))
    .collect();
    let modules: BTreeSet<String> = ["a", "b", "c"].map(String::from).into();
    let edges = module_edges(&files, &modules);
    assert_eq!(
        edges.keys().cloned().collect::<Vec<_>>(),
        [("a", "b"), ("a", "c"), ("b", "a")].map(|(f, t)| (f.to_owned(), t.to_owned())),
        "a grouped `use crate::{{…}}` counts each module, comments and strings count none"
    );
    assert_eq!(
        find_cycle(&edges),
        Some(["a", "b", "a"].map(String::from).to_vec()),
        "the cycle is reported as a path"
    );
}

/// Every `.rs` file under `dir`, keyed by its path relative to `root` (`/`-separated).
fn read_tree(root: &Path, dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("src/ entry").path();
        if path.is_dir() {
            files.extend(read_tree(root, &path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path.strip_prefix(root).expect("under src/");
            let key = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            let text = std::fs::read_to_string(&path).expect("source is UTF-8");
            files.insert(key, text);
        }
    }
    files
}

/// `pub mod x;` / `mod x;` lines of lib.rs.
fn declared_modules(lib: &str) -> BTreeSet<String> {
    lib.lines()
        .filter_map(|line| {
            let line = line.trim();
            let rest = line
                .strip_prefix("pub mod ")
                .or_else(|| line.strip_prefix("mod "))?;
            Some(rest.strip_suffix(';')?.trim().to_owned())
        })
        .collect()
}

/// The edges between top-level modules: `x.rs` and everything under `x/` belong to `x`.
fn module_edges(files: &BTreeMap<String, String>, modules: &BTreeSet<String>) -> Edges {
    let mut edges = Edges::new();
    for (path, text) in files {
        let from = path
            .split('/')
            .next()
            .unwrap_or(path)
            .trim_end_matches(".rs");
        if !modules.contains(from) {
            continue;
        }
        let code = code_only(text);
        for (line, to) in crate_references(&code) {
            if to != from && modules.contains(&to) {
                edges
                    .entry((from.to_owned(), to))
                    .or_insert_with(|| format!("src/{path}:{line}"));
            }
        }
    }
    edges
}

/// `text` with comments and the contents of string and char literals blanked (newlines
/// kept, so line numbers stay right).
fn code_only(text: &str) -> String {
    let b: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < b.len() {
        let next = b.get(i + 1).copied();
        match b[i] {
            '/' if next == Some('/') => {
                while i < b.len() && b[i] != '\n' {
                    i += 1;
                }
            }
            '/' if next == Some('*') => {
                let mut depth = 0;
                while i < b.len() {
                    if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                        depth += 1;
                        i += 2;
                    } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        out.push(blank(b[i]));
                        i += 1;
                    }
                }
            }
            'r' if next == Some('#')
                || (next == Some('"') && !ident_char(b.get(i.wrapping_sub(1)))) =>
            {
                // A raw string `r#"…"#`: skip to the same number of `#` after a quote.
                let mut j = i + 1;
                let mut hashes = 0;
                while b.get(j) == Some(&'#') {
                    hashes += 1;
                    j += 1;
                }
                if b.get(j) != Some(&'"') || ident_char(b.get(i.wrapping_sub(1))) {
                    out.push(b[i]);
                    i += 1;
                    continue;
                }
                j += 1;
                while j < b.len() {
                    if b[j] == '"' && (0..hashes).all(|k| b.get(j + 1 + k) == Some(&'#')) {
                        j += 1 + hashes;
                        break;
                    }
                    out.push(blank(b[j]));
                    j += 1;
                }
                i = j;
            }
            '"' => {
                i += 1;
                while i < b.len() && b[i] != '"' {
                    if b[i] == '\\' {
                        i += 1;
                    }
                    if let Some(&c) = b.get(i) {
                        out.push(blank(c));
                    }
                    i += 1;
                }
                i += 1;
            }
            // A char literal (`'"'`, `'\''`); a lifetime (`'a`) has no closing quote.
            '\'' if next == Some('\\') => {
                i += 2;
                while i < b.len() && b[i] != '\'' {
                    i += 1;
                }
                i += 1;
            }
            '\'' if b.get(i + 2) == Some(&'\'') => i += 3,
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

fn ident_char(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || *c == '_')
}

/// `(line, module)` for each `crate::module` and each module in `crate::{a, b::c}`.
fn crate_references(code: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let line_of = |at: usize| code[..at].matches('\n').count() + 1;
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    for (at, _) in code.match_indices("crate::") {
        if at > 0 && ident_char(code[..at].chars().last().as_ref()) {
            continue;
        }
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level names of the group: after `{` and after each `,` at depth 1.
            let (mut depth, mut start) = (1, true);
            for (k, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    ',' if depth == 1 => start = true,
                    c if start && (c.is_alphanumeric() || c == '_') => {
                        found.push((line_of(at + "crate::{".len() + k), ident(&group[k..])));
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            found.push((line_of(at), ident(rest)));
        }
    }
    found
}

/// A cycle as a path (`a → b → a`), if the graph has one.
fn find_cycle(edges: &Edges) -> Option<Vec<String>> {
    let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (from, to) in edges.keys() {
        next.entry(from).or_default().push(to);
    }
    // Depth-first, colouring nodes: on the stack (grey) or finished (black).
    fn visit<'a>(
        node: &'a str,
        next: &BTreeMap<&'a str, Vec<&'a str>>,
        stack: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|n| *n == node) {
            let mut cycle: Vec<String> = stack[at..].iter().map(|s| s.to_string()).collect();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node);
        for to in next.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(to, next, stack, done) {
                return Some(cycle);
            }
        }
        stack.pop();
        done.insert(node);
        None
    }
    let (mut stack, mut done) = (Vec::new(), BTreeSet::new());
    next.keys()
        .find_map(|start| visit(start, &next, &mut stack, &mut done))
}
