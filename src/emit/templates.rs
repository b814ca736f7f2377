//! The one minijinja setup the template-based emitters share (PowerShell scripts, docs;
//! `build.rs` includes this file to render the scripts' fixed text at build time):
//! no auto-escaping (each emitter escapes for its own format through its formatter),
//! undefined variables are errors, and the built-in filters that mark values safe or
//! escape for HTML are removed, so a template cannot print a spec string around the
//! emitter's own escaping.

use minijinja::{AutoEscape, Environment, Error, UndefinedBehavior};

pub fn strict_environment() -> Result<Environment<'static>, Error> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()?,
    );
    for f in ["safe", "escape", "e", "tojson"] {
        env.remove_filter(f);
    }
    Ok(env)
}

/// [`strict_environment`] whose formatter prints only values marked safe (escaped by the
/// emitter): a template that printed anything else, such as a raw spec string, fails to
/// render. The PowerShell scripts use it, and `build.rs` renders them with it.
pub fn safe_only_environment(what: &'static str) -> Result<Environment<'static>, Error> {
    let mut env = strict_environment()?;
    env.set_formatter(move |out, _state, value| match value.as_str() {
        Some(s) if value.is_safe() => out.write_str(s).map_err(Error::from),
        _ => Err(Error::new(
            minijinja::ErrorKind::InvalidOperation,
            format!("a template printed a value that did not go through the {what} escaping"),
        )),
    });
    Ok(env)
}
