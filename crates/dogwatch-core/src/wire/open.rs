//! [`Open<T>`]: a JSON object read as the typed `T` while keeping the members `T` does not name, and
//! [`decode_body`], which reads a request body and says which member is wrong in the API's words.
//!
//! `#[serde(flatten)] extra: Map` keeps unknown members too, but serde reads a flattened struct from
//! a buffered copy, so serde_path_to_error loses the path of anything wrong below it: a dashboard's
//! `widgets[0].definition.requests[0].q must be a string` would become a path-less message. `Open`
//! reads `T` with its own path tracking and hands the path up inside its error, where the next
//! `Open` up (or [`decode_body`]) joins it to its own.

use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use serde::ser::{Error as _, Serialize, Serializer};
use serde::{Deserialize, forward_to_deserialize_any};
use serde_json::{Map, Value};

/// `known` read from the object's members that `T` names; `extra` holds the others as they came.
/// Written back, `extra` and `known` make one object again (a member of `known` wins).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Open<T> {
    pub known: T,
    pub extra: Map<String, Value>,
}

impl<T> Open<T> {
    pub fn new(known: T) -> Open<T> {
        Open {
            known,
            extra: Map::new(),
        }
    }
}

/// Marks an error message that carries the path where it happened: `\u{1}path\u{1}message`.
const MARK: char = '\u{1}';

impl<'de, T: DeserializeOwned> Deserialize<'de> for Open<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut object = Map::<String, Value>::deserialize(d)?;
        let mut fields: &'static [&'static str] = &[];
        let value = Value::Object(std::mem::take(&mut object));
        let known = {
            let mut track = serde_path_to_error::Track::new();
            let reader = FieldsOf {
                value: &value,
                fields: &mut fields,
            };
            let tracked = serde_path_to_error::Deserializer::new(reader, &mut track);
            match T::deserialize(tracked) {
                Ok(known) => known,
                Err(e) => {
                    let (path, message) = located(&track.path().to_string(), &e.to_string());
                    return Err(de::Error::custom(format!("{MARK}{path}{MARK}{message}")));
                }
            }
        };
        let mut extra = match value {
            Value::Object(object) => object,
            _ => Map::new(),
        };
        extra.retain(|name, _| !fields.contains(&name.as_str()));
        Ok(Open { known, extra })
    }
}

impl<T: Serialize> Serialize for Open<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut object = match serde_json::to_value(&self.known).map_err(S::Error::custom)? {
            Value::Object(object) => object,
            _ => return Err(S::Error::custom("an Open value must write an object")),
        };
        for (name, value) in &self.extra {
            object.entry(name.clone()).or_insert_with(|| value.clone());
        }
        object.serialize(s)
    }
}

/// Why a body is not a `T`. Its text is the API's: `title is required`,
/// `widgets[0].definition.requests[0].q must be a string`, `the body must be a JSON object`,
/// `invalid JSON body: …`; a page that reads JSON pasted by its user words the first two its own way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyError {
    /// Valid JSON, but not an object.
    NotAnObject,
    /// Not JSON: serde_json's message, with its line and column.
    Syntax(String),
    /// A member is missing or wrong: the whole message, path first.
    Member(String),
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BodyError::NotAnObject => f.write_str("the body must be a JSON object"),
            BodyError::Syntax(e) => write!(f, "invalid JSON body: {e}"),
            BodyError::Member(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for BodyError {}

/// Reads a request body as `T`, with the error in the API's words (see [`BodyError`]).
pub fn decode_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    decode(bytes).map_err(|e| e.to_string())
}

/// Reads a JSON object as `T`, saying where and what is wrong.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, BodyError> {
    // Every request body is an object; serde would also take an array for a struct.
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|&b| b != b'{') && serde_json::from_slice::<de::IgnoredAny>(bytes).is_ok()
    {
        return Err(BodyError::NotAnObject);
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let e = e.into_inner();
        if e.is_syntax() || e.is_eof() {
            return BodyError::Syntax(e.to_string());
        }
        let (path, message) = located(&path, &e.to_string());
        BodyError::Member(in_words(&path, &message))
    })?;
    de.end().map_err(|e| BodyError::Syntax(e.to_string()))?;
    Ok(value)
}

/// The path of an error and its message, with a path carried inside the message (from an
/// [`Open`] below) joined to `path`, and serde_json's "at line L column C" dropped.
fn located(path: &str, message: &str) -> (String, String) {
    let message = message
        .rfind(" at line ")
        .map_or(message, |at| &message[..at]);
    let Some(rest) = message.strip_prefix(MARK) else {
        return (join(path, ""), message.to_owned());
    };
    let (inner, message) = rest.split_once(MARK).unwrap_or(("", rest));
    (join(path, inner), message.to_owned())
}

/// `widgets[0]` + `definition.q` → `widgets[0].definition.q`; `.` (serde_path_to_error's word for
/// "not inside a member") on either side leaves the other.
fn join(outer: &str, inner: &str) -> String {
    let outer = if outer == "." || outer == "?" {
        ""
    } else {
        outer
    };
    let inner = if inner == "." || inner == "?" {
        ""
    } else {
        inner
    };
    match (outer.is_empty(), inner.is_empty()) {
        (true, _) => inner.to_owned(),
        (_, true) => outer.to_owned(),
        _ if inner.starts_with('[') => format!("{outer}{inner}"),
        _ => format!("{outer}.{inner}"),
    }
}

/// An error at `path` in the API's words.
fn in_words(path: &str, message: &str) -> String {
    if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|t| t.strip_suffix('`'))
    {
        return match path {
            "" => format!("{field} is required"),
            _ => format!("{path}.{field} is required"),
        };
    }
    if path.is_empty() {
        return format!("invalid JSON body: {message}");
    }
    let wrong = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "));
    match wrong.and_then(|m| m.rsplit_once(", expected ")) {
        // `null` where a value is required reads as the member missing.
        Some(("null", _)) => format!("{path} is required"),
        Some((_, expected)) => format!("{path} must be {}", expected_in_words(expected)),
        None => format!("{path}: {message}"),
    }
}

/// serde's name for what it expected, as the API says it.
fn expected_in_words(expected: &str) -> &str {
    match expected {
        "a boolean" => "true or false",
        "a sequence" => "an array",
        "a map" => "an object",
        "u8" | "u16" | "u32" | "u64" | "usize" => "a whole number 0 or more",
        "i8" | "i16" | "i32" | "i64" | "isize" => "a whole number",
        "f32" | "f64" => "a number",
        e if e.starts_with("struct ") => "an object",
        e => e,
    }
}

/// A `Value` as a deserializer that also records the member names of the struct read from it
/// (what serde passes to `deserialize_struct`), so that [`Open`] knows which members are extra.
struct FieldsOf<'v, 'f> {
    value: &'v Value,
    fields: &'f mut &'static [&'static str],
}

impl<'de, 'f> Deserializer<'de> for FieldsOf<'de, 'f> {
    type Error = serde_json::Error;

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        *self.fields = fields;
        self.value.deserialize_struct(name, fields, visitor)
    }

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.value.deserialize_any(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.value.deserialize_option(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.value.deserialize_enum(name, variants, visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.value.deserialize_newtype_struct(name, visitor)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct seq tuple tuple_struct map identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};
    use serde_json::json;

    use super::*;

    #[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
    struct Board {
        title: String,
        #[serde(default)]
        widgets: Vec<Open<Widget>>,
    }

    #[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
    struct Widget {
        definition: Open<Definition>,
    }

    #[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
    struct Definition {
        #[serde(rename = "type")]
        kind: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        q: Option<String>,
    }

    fn read(body: serde_json::Value) -> Result<Open<Board>, String> {
        decode_body(body.to_string().as_bytes())
    }

    #[test]
    fn unknown_members_are_kept_at_every_level_and_written_back() {
        let body = json!({
            "title": "T",
            "notify_list": ["alice"],
            "widgets": [{"id": 7, "definition": {"type": "note", "content": "hi", "q": "avg:m{*}"}}],
        });
        let board = read(body.clone()).expect("reads");
        assert_eq!(board.known.title, "T");
        assert_eq!(
            board.extra,
            json!({"notify_list": ["alice"]})
                .as_object()
                .cloned()
                .unwrap_or_default()
        );
        let widget = &board.known.widgets[0];
        assert_eq!(widget.extra["id"], 7);
        assert_eq!(widget.known.definition.known.q.as_deref(), Some("avg:m{*}"));
        assert_eq!(widget.known.definition.extra["content"], "hi");
        assert_eq!(serde_json::to_value(&board).expect("writes"), body);
    }

    #[test]
    fn a_wrong_member_deep_inside_is_named_by_its_whole_path() {
        let cases = [
            (json!({"widgets": []}), "title is required"),
            (json!({"title": 3}), "title must be a string"),
            (
                json!({"title": "T", "widgets": {}}),
                "widgets must be an array",
            ),
            (
                json!({"title": "T", "widgets": [{"definition": {"type": "note"}}, {}]}),
                "widgets[1].definition is required",
            ),
            (
                json!({"title": "T", "widgets": [{"definition": {}}]}),
                "widgets[0].definition.type is required",
            ),
            (
                json!({"title": "T", "widgets": [{"definition": {"type": "x", "q": 42}}]}),
                "widgets[0].definition.q must be a string",
            ),
        ];
        for (body, want) in cases {
            assert_eq!(read(body.clone()).err().as_deref(), Some(want), "{body}");
        }
        // A plain struct at the top, as most request bodies are.
        let plain =
            |body: serde_json::Value| decode_body::<Definition>(body.to_string().as_bytes());
        assert_eq!(plain(json!({})).err().as_deref(), Some("type is required"));
        assert_eq!(
            plain(json!({"type": "x", "q": [1]})).err().as_deref(),
            Some("q must be a string")
        );
        assert_eq!(
            decode_body::<Open<Board>>(b"[1]").err().as_deref(),
            Some("the body must be a JSON object")
        );
        assert!(
            decode_body::<Open<Board>>(b"{\"title\": ")
                .err()
                .is_some_and(|e| e.starts_with("invalid JSON body: "))
        );
    }
}
