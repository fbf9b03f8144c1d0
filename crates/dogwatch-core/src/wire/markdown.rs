//! A note widget's markdown, rendered and sanitized by the server: `POST /api/v1/dogwatch/markdown`.

use serde::{Deserialize, Serialize};

/// The request: the note's markdown.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct MarkdownRequest {
    pub text: String,
}

/// The answer: HTML that is safe to insert (sanitized after rendering).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct MarkdownHtml {
    pub html: String,
}
