//! Finding `.kubeclinic.yaml` for each input and turning it, its overrides and the command
//! line's flags into that input's settings. The file's format is the engine's
//! ([`kubeclinic_engine::config`]); where it lies and which paths its globs match is decided
//! here.
//!
//! The nearest file above an input wins, as Ruff and Biome find theirs; the search stops at
//! the filesystem's root or at a folder that holds `.git`.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use kubeclinic_engine::config::{Layer, Override, Pattern, FILE_NAMES};
use kubeclinic_engine::{CheckerSet, Config, Settings, SourceFile};

use crate::cli::ConfigFormat;
use crate::inputs::{Inputs, STDIN_NAME};

/// Which configuration file applies.
#[derive(Clone, Debug)]
pub enum Choice {
    /// The nearest `.kubeclinic.yaml` above each input.
    Discover,
    /// This file, for every input (`--config`).
    File(PathBuf),
    /// None: the defaults and the flags (`--no-config`).
    Nothing,
}

/// A configuration file, read, with its globs compiled.
pub struct Loaded {
    /// As found or given.
    pub path: PathBuf,
    /// The folder its globs are relative to.
    dir: PathBuf,
    pub config: Config,
    /// One set per override, in the file's order.
    overrides: Vec<GlobSet>,
    exclude: GlobSet,
}

impl Loaded {
    fn read(path: &Path) -> Result<Self, String> {
        let shown = path.display().to_string();
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
        let config = Config::parse(&text).map_err(|e| e.display_in(&shown))?;
        let globs = |patterns: &[Pattern]| glob_set(patterns, &shown);
        let overrides = config
            .overrides
            .iter()
            .map(|o| globs(&o.files))
            .collect::<Result<_, _>>()?;
        let exclude = globs(&config.exclude)?;
        let dir = absolute(path)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        Ok(Self {
            path: path.to_path_buf(),
            dir,
            config,
            overrides,
            exclude,
        })
    }

    /// `path` relative to the file's folder, when it lies below it.
    fn relative(&self, path: &Path) -> Option<PathBuf> {
        absolute(path)
            .strip_prefix(&self.dir)
            .ok()
            .map(Path::to_path_buf)
    }

    /// The overrides whose globs match `path`.
    pub fn overrides_for(&self, path: &Path) -> Vec<&Override> {
        let Some(relative) = self.relative(path) else {
            return Vec::new();
        };
        self.config
            .overrides
            .iter()
            .zip(&self.overrides)
            .filter(|(_, globs)| matches_or_below(globs, &relative))
            .map(|(o, _)| o)
            .collect()
    }

    /// True when `exclude` names `path` or a folder above it.
    pub fn excludes(&self, path: &Path) -> bool {
        self.relative(path)
            .is_some_and(|relative| matches_or_below(&self.exclude, &relative))
    }
}

/// True when a glob matches the path or one of the folders it lies in (`generated` excludes
/// `generated/pod.yaml`, as in a `.gitignore`).
fn matches_or_below(globs: &GlobSet, relative: &Path) -> bool {
    relative
        .ancestors()
        .filter(|p| !p.as_os_str().is_empty())
        .any(|p| globs.is_match(p))
}

fn glob_set(patterns: &[Pattern], file: &str) -> Result<GlobSet, String> {
    let mut set = GlobSetBuilder::new();
    for pattern in patterns {
        let glob = pattern.glob.trim_start_matches("./").trim_end_matches('/');
        let glob = GlobBuilder::new(glob)
            // `*` stays within a folder; `**` crosses them.
            .literal_separator(true)
            .build()
            .map_err(|e| {
                format!(
                    "bad glob `{}` in {file} line {}: {}",
                    pattern.glob,
                    pattern.line,
                    e.kind()
                )
            })?;
        set.add(glob);
    }
    set.build().map_err(|e| format!("bad glob in {file}: {e}"))
}

/// The path made absolute without touching the filesystem: `.` and `..` are resolved by
/// their names, so paths that do not exist yet (or through symlinks) compare as written.
pub fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut out = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Finds and reads configuration files, each once.
pub struct Resolver {
    choice: Choice,
    /// The file that applies in each folder asked about.
    nearest: HashMap<PathBuf, Option<Rc<Loaded>>>,
    /// Every file read, by path.
    loaded: HashMap<PathBuf, Rc<Loaded>>,
    /// What the command line sets, laid over every file.
    flags: Layer,
    /// `--context` paths.
    context: Vec<PathBuf>,
}

impl Resolver {
    pub fn new(choice: Choice, flags: Layer) -> Self {
        Self {
            choice,
            nearest: HashMap::new(),
            loaded: HashMap::new(),
            flags,
            context: Vec::new(),
        }
    }

    /// Also reads `paths` as context with every check (`--context`).
    pub fn with_context(mut self, paths: Vec<PathBuf>) -> Self {
        self.context = paths;
        self
    }

    /// The context paths for these inputs: the command line's, then those of each
    /// configuration file that applies to an input (relative to that file's folder), each once.
    pub fn context_for(&mut self, inputs: &[SourceFile]) -> Result<Vec<PathBuf>, String> {
        let mut out: Vec<PathBuf> = self.context.clone();
        for file in inputs {
            let path = if file.path == STDIN_NAME {
                Path::new(".")
            } else {
                Path::new(&file.path)
            };
            if let Some(loaded) = self.config_for(path)? {
                for pattern in &loaded.config.context {
                    let named = loaded.dir.join(&pattern.glob);
                    if !named.exists() {
                        return Err(format!(
                            "{}:{}: context `{}` does not exist ({})",
                            loaded.path.display(),
                            pattern.line,
                            pattern.glob,
                            named.display()
                        ));
                    }
                    out.push(named);
                }
            }
        }
        let mut seen = std::collections::HashSet::new();
        out.retain(|p| seen.insert(absolute(p)));
        Ok(out)
    }

    fn load(&mut self, path: &Path) -> Result<Rc<Loaded>, String> {
        if let Some(found) = self.loaded.get(path) {
            return Ok(found.clone());
        }
        let found = Rc::new(Loaded::read(path)?);
        self.loaded.insert(path.to_path_buf(), found.clone());
        Ok(found)
    }

    /// The configuration file that applies to `path` (a file, or a folder), if any.
    pub fn config_for(&mut self, path: &Path) -> Result<Option<Rc<Loaded>>, String> {
        match self.choice.clone() {
            Choice::Nothing => Ok(None),
            Choice::File(file) => self.load(&file).map(Some),
            Choice::Discover => {
                let absolute = absolute(path);
                let start = if absolute.is_dir() {
                    absolute.as_path()
                } else {
                    absolute.parent().unwrap_or(Path::new("/"))
                };
                self.discover(start)
            }
        }
    }

    /// The nearest file in `dir` or above it, stopping after a folder that holds `.git`.
    fn discover(&mut self, dir: &Path) -> Result<Option<Rc<Loaded>>, String> {
        if let Some(known) = self.nearest.get(dir) {
            return Ok(known.clone());
        }
        let here = FILE_NAMES
            .iter()
            .map(|name| dir.join(name))
            .find(|candidate| candidate.is_file());
        let found = match here {
            Some(file) => Some(self.load(&file)?),
            None if dir.join(".git").exists() => None,
            None => match dir.parent() {
                Some(parent) => self.discover(parent)?,
                None => None,
            },
        };
        self.nearest.insert(dir.to_path_buf(), found.clone());
        Ok(found)
    }

    /// The settings of one input (standard input: those of the working folder, without
    /// overrides, which name paths), with the file that gave them.
    pub fn settings_for(&mut self, input: &str) -> Result<Resolved, String> {
        let (config, path) = if input == STDIN_NAME {
            (self.config_for(Path::new("."))?, None)
        } else {
            let path = Path::new(input);
            (self.config_for(path)?, Some(path))
        };
        let mut settings = Settings::default();
        let mut applied = Vec::new();
        if let Some(loaded) = &config {
            let overrides = path.map(|p| loaded.overrides_for(p)).unwrap_or_default();
            applied = overrides.iter().map(|o| o.line).collect();
            settings = loaded
                .config
                .settings_for(|o| overrides.iter().any(|m| std::ptr::eq(*m, o)));
        }
        self.flags.apply(&mut settings);
        Ok(Resolved {
            settings,
            file: config.map(|c| c.path.clone()),
            overrides: applied,
        })
    }

    /// One checker per distinct settings among the inputs.
    pub fn checkers(&mut self, inputs: &Inputs) -> Result<CheckerSet, String> {
        let settings = inputs
            .files
            .iter()
            .map(|f| self.settings_for(&f.path).map(|r| r.settings))
            .collect::<Result<Vec<_>, _>>()?;
        CheckerSet::per_file(settings).map_err(|e| e.to_string())
    }
}

/// The settings of one path, and where they came from.
pub struct Resolved {
    pub settings: Settings,
    /// The configuration file, if one applied.
    pub file: Option<PathBuf>,
    /// The lines of the overrides that matched.
    pub overrides: Vec<usize>,
}

/// `kubeclinic config [path]`: the settings `path` is checked with, as a configuration
/// file's top level (YAML) or JSON, saying which file they came from.
pub fn describe(
    configs: &mut Resolver,
    path: Option<&Path>,
    format: ConfigFormat,
) -> Result<String, String> {
    let path = path.unwrap_or(Path::new("."));
    if !path.exists() {
        return Err(format!(
            "cannot read {}: no such file or folder",
            path.display()
        ));
    }
    let shown = path.display().to_string();
    let resolved = configs.settings_for(&shown)?;
    // Settings the engine would refuse are refused here too, as `check` would.
    kubeclinic_engine::Checker::new(resolved.settings.clone()).map_err(|e| e.to_string())?;
    let file = resolved
        .file
        .as_ref()
        .map(|f| crate::output::repository_path(&f.display().to_string()));
    if format == ConfigFormat::Json {
        let json = serde_json::json!({
            "path": shown,
            "config": file,
            "overrides": resolved.overrides,
            "settings": resolved.settings,
        });
        return crate::output::to_json(&json);
    }
    let from = match (&file, resolved.overrides.as_slice()) {
        (None, _) => "no configuration file: the defaults, and the flags given".to_string(),
        (Some(file), []) => format!("from {file}"),
        (Some(file), lines) => format!(
            "from {file}, with its overrides at line {}",
            lines
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    Ok(format!(
        "# Settings for {shown}\n# {from}\n{}",
        kubeclinic_engine::config::to_yaml(&resolved.settings)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_made_absolute_by_their_names() {
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(absolute(Path::new("./k8s/../a.yaml")), cwd.join("a.yaml"));
        assert_eq!(absolute(Path::new("/x/./y")), PathBuf::from("/x/y"));
    }

    #[test]
    fn globs_match_files_and_the_folders_they_lie_in() {
        let patterns = |globs: &[&str]| {
            let patterns: Vec<Pattern> = globs
                .iter()
                .map(|g| Pattern {
                    glob: g.to_string(),
                    range: Default::default(),
                    line: 1,
                })
                .collect();
            glob_set(&patterns, "x").unwrap()
        };
        let set = patterns(&["generated", "*.dev.yaml", "./charts/**/out/"]);
        assert!(matches_or_below(&set, Path::new("generated/pod.yaml")));
        assert!(matches_or_below(&set, Path::new("web.dev.yaml")));
        assert!(!matches_or_below(&set, Path::new("k8s/web.dev.yaml")));
        assert!(matches_or_below(&set, Path::new("charts/a/b/out/x.yaml")));
        assert!(!matches_or_below(&set, Path::new("k8s/pod.yaml")));
        let err = glob_set(
            &[Pattern {
                glob: "a[".into(),
                range: Default::default(),
                line: 4,
            }],
            ".kubeclinic.yaml",
        )
        .unwrap_err();
        assert!(
            err.starts_with("bad glob `a[` in .kubeclinic.yaml line 4"),
            "{err}"
        );
    }
}
