//! The one minijinja setup the template-based emitters share (PowerShell scripts, docs):
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
