pub mod yaml_syntax_error;
