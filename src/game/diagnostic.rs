//! naga's diagnostics for a generated module, redrawn against the user's text.
//!
//! naga reports byte spans into the generated module; a span is moved into the
//! user's expression by subtracting where the expression starts, clipped to it,
//! and drawn as a caret line under the user's own line. A span wholly outside
//! the expression (the generated wrapper) gives the message without a caret.

use std::ops::Range;

use crate::Error;

/// An [`Error::Expression`] for `field`.
pub(crate) fn user_error(field: &str, message: impl Into<String>) -> Error {
    Error::Expression {
        field: field.to_string(),
        message: message.into(),
    }
}

/// `span` (bytes of the generated module) moved into the user's text, which
/// occupies `user` in the module; `None` when it misses the user's text.
fn clip(span: Range<usize>, user: &Range<usize>, text: &str) -> Option<Range<usize>> {
    let (s, e) = (span.start.max(user.start), span.end.min(user.end));
    let r = if s < e {
        s - user.start..e - user.start
    } else if span.start == span.end && user.contains(&span.start) {
        span.start - user.start..span.start - user.start
    } else {
        return None;
    };
    let inner = text.get(r.clone())?;
    // Underline what the span covers, not the whitespace around it.
    let lead = inner.len() - inner.trim_start().len();
    let trail = inner.len() - inner.trim_end().len();
    if lead + trail < inner.len() {
        Some(r.start + lead..r.end - trail)
    } else {
        Some(r)
    }
}

/// The user's line holding `span` with a caret line under the span followed by
/// `message`, then `notes` one per line. Without a span, the whole text and the
/// message.
pub(crate) fn render(
    text: &str,
    span: Option<Range<usize>>,
    message: &str,
    notes: &[String],
) -> String {
    let mut out = String::new();
    match span.filter(|r| text.is_char_boundary(r.start) && text.is_char_boundary(r.end)) {
        Some(r) => {
            let line_start = text[..r.start].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[r.start..]
                .find('\n')
                .map_or(text.len(), |i| r.start + i);
            if text.trim().contains('\n') {
                let number = text[..r.start].matches('\n').count() + 1;
                out.push_str(&format!("(line {number} of the expression)\n"));
            }
            out.push_str(text[line_start..line_end].trim_end());
            out.push('\n');
            let pad: String = text[line_start..r.start]
                .chars()
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let width = text[r.start..r.end.min(line_end)].chars().count().max(1);
            out.push_str(&format!("{pad}{} {message}", "^".repeat(width)));
        }
        None => {
            out.push_str(text.trim());
            out.push('\n');
            out.push_str(message);
        }
    }
    for note in notes {
        out.push_str("\nnote: ");
        out.push_str(note);
    }
    out
}

/// Extra notes: what the expression may use (for messages about names; `rand`
/// outside an initial density gets its own note), and that its value must be a
/// scalar (for a vector where an `f32` is due).
fn hints(message: &str, scope: &str) -> Vec<String> {
    let mut notes = Vec::new();
    if message.contains("no definition in scope") || message.contains("identifier") {
        notes.push(scope.to_string());
        if message.contains("`rand`") && !scope.contains("`rand(") {
            notes.push(
                "`rand(x)` (seeded noise) is for initial densities (`init.mu`, `init.nu`) \
                 only: the payoff must be deterministic"
                    .to_string(),
            );
        }
    }
    if message.contains("has the wrong type") && scope.contains("`rand(") {
        notes.push(
            "`rand` takes the point as a `vec2<f32>`: write `rand(x)` (or \
             `rand(vec2<f32>(s, 0.0))`)"
                .to_string(),
        );
    }
    if message.starts_with("cannot cast") && message.ends_with("to a f32") {
        notes.push(
            "the expression must be a scalar (an f32; i32, u32 and bool convert): pick a \
             component (`.x`) or reduce a vector (`length(v)`, `dot(v, v)`)"
                .to_string(),
        );
    }
    notes
}

/// A WGSL parse error (spans in the generated module) against the user's `text`
/// (at `user` in the module); `scope` says what the expression may use.
pub(crate) fn parse(
    e: &naga::front::wgsl::ParseError,
    text: &str,
    user: &Range<usize>,
    scope: &str,
) -> String {
    let message = e.message();
    let mut notes: Vec<String> = Vec::new();
    let mut span = None;
    let mut at_end = false;
    for (s, label) in e.labels() {
        let range = s.to_range();
        let clipped = range.clone().and_then(|r| clip(r, user, text));
        if span.is_none() && clipped.is_some() {
            span = clipped;
        }
        // A fault found in the wrapper just after the text: the text ended early.
        at_end |= range.is_some_and(|r| r.start >= user.end && r.start <= user.end + TAIL);
        if !label.is_empty()
            && label != message
            && label != "see msg"
            && !notes.iter().any(|n| n == label)
        {
            notes.push(label.to_string());
        }
    }
    if span.is_none() && at_end {
        let end = text.trim_end().len();
        span = Some(end..end);
        notes.insert(
            0,
            "the expression ends too early (at the caret)".to_string(),
        );
    }
    notes.extend(merge_allowed_types(e.notes()));
    notes.extend(hints(message, scope));
    render(text, span, message, &notes)
}

/// Bytes of the generated wrapper between the user's text and its closing `)`.
const TAIL: usize = "\n    )".len();

/// naga's notes with its one-per-line "allowed type: T" lists joined into one line.
fn merge_allowed_types<'a>(notes: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut types: Vec<&str> = Vec::new();
    for note in notes {
        match note.strip_prefix("allowed type: ") {
            Some(t) => types.push(t),
            None => out.push(note.to_string()),
        }
    }
    if !types.is_empty() {
        out.push(format!("allowed types: {}", types.join(", ")));
    }
    out
}

/// naga's "Argument 0 value [7] doesn't match the type [2]" (a call of a
/// function from the prelude, such as `rand`, with an argument of the wrong type)
/// without the arena handles, which mean nothing to the user; other messages as
/// they are.
fn plain_argument_error(message: &str) -> String {
    let index = message
        .strip_prefix("Argument ")
        .filter(|rest| rest.contains(" doesn't match the type "))
        .and_then(|rest| rest.split(' ').next())
        .and_then(|i| i.parse::<usize>().ok());
    match index {
        Some(i) => format!("argument {} of this call has the wrong type", i + 1),
        None => message.to_string(),
    }
}

/// A validation error (spans in the generated module) against the user's `text`.
/// The message is the innermost cause of naga's error chain.
pub(crate) fn validation(
    e: &naga::WithSpan<naga::valid::ValidationError>,
    text: &str,
    user: &Range<usize>,
    scope: &str,
) -> String {
    let mut chain = vec![e.as_inner().to_string()];
    let mut source = std::error::Error::source(e.as_inner());
    while let Some(s) = source {
        chain.push(s.to_string());
        source = s.source();
    }
    let message = plain_argument_error(chain.last().map_or("", String::as_str));
    let span = e
        .spans()
        .filter_map(|(s, _)| s.to_range().and_then(|r| clip(r, user, text)))
        .min_by_key(|r| r.len());
    let notes = hints(&message, scope);
    render(text, span, &message, &notes)
}
