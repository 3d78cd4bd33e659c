//! The tray icon and its menu: "Show Ringside" brings the main window to the front (making it
//! again if the agent closed it: [`crate::main_window`]), "Show
//! caller" opens the pop-up on the latest call (the way in when pops are set to manual), "Quit" exits.
//! The labels start in the OS language (from the UI's own catalogs, so a Ringside started in
//! the tray speaks it before any page exists) and follow the UI's language: the main window
//! sends them from its message catalog (`set_shell_labels`), so the tray speaks the language
//! the agent chose.

use serde::Deserialize;
use tauri::menu::{Menu, MenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime};

const SHOW: &str = "show";
const SHOW_CALLER: &str = "show-caller";
const QUIT: &str = "quit";

/// Longest label accepted from the UI; real ones are a few words.
const MAX_LABEL_CHARS: usize = 80;

/// The texts of the tray menu and the pop-up window's title, in the UI's language.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct ShellLabels {
    pub show: String,
    pub show_caller: String,
    pub quit: String,
    pub popup_title: String,
}

/// The pop-up feature's message catalogs, the UI's own files: where the labels below come from
/// before the UI sends any (Ringside started in the tray has no page yet).
const CATALOGS: [(&str, &str); 6] = [
    (
        "en",
        include_str!("../../ui/src/features/popup/locales/en.json"),
    ),
    (
        "de",
        include_str!("../../ui/src/features/popup/locales/de.json"),
    ),
    (
        "fr",
        include_str!("../../ui/src/features/popup/locales/fr.json"),
    ),
    (
        "tr",
        include_str!("../../ui/src/features/popup/locales/tr.json"),
    ),
    (
        "ja",
        include_str!("../../ui/src/features/popup/locales/ja.json"),
    ),
    (
        "ar",
        include_str!("../../ui/src/features/popup/locales/ar.json"),
    ),
];

impl ShellLabels {
    /// The labels in the first of `preferences` (locale names as the OS gives them: `de_AT.UTF-8`,
    /// `fr`, `C`) that the UI speaks, else English: the language the UI would start in
    /// (`pickLocale` in ui/src/i18n), until the page sends the agent's choice.
    pub fn in_language(preferences: &[&str]) -> ShellLabels {
        let base = |preference: &str| {
            preference
                .split(['_', '-', '.', '@'])
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase()
        };
        preferences
            .iter()
            .find_map(|preference| {
                let language = base(preference);
                CATALOGS
                    .iter()
                    .find(|(code, _)| *code == language)
                    .and_then(|(_, catalog)| ShellLabels::from_catalog(catalog))
            })
            .or_else(|| ShellLabels::from_catalog(CATALOGS[0].1))
            .unwrap_or_else(ShellLabels::english)
    }

    /// The labels in the OS language (GLib's list: LANGUAGE, LC_ALL, LC_MESSAGES, LANG, which
    /// WebKit reads too).
    pub fn in_os_language() -> ShellLabels {
        #[cfg(target_os = "linux")]
        let names: Vec<String> = webkit2gtk::glib::language_names()
            .iter()
            .map(|name| name.to_string())
            .collect();
        #[cfg(not(target_os = "linux"))]
        let names: Vec<String> = Vec::new();
        ShellLabels::in_language(&names.iter().map(String::as_str).collect::<Vec<_>>())
    }

    fn from_catalog(catalog: &str) -> Option<ShellLabels> {
        let messages: std::collections::HashMap<String, String> =
            serde_json::from_str(catalog).ok()?;
        let text = |key: &str| messages.get(key).cloned();
        ShellLabels {
            show: text("popup.tray.show")?,
            show_caller: text("popup.tray.showCaller")?,
            quit: text("popup.tray.quit")?,
            popup_title: text("popup.title")?,
        }
        .checked()
        .ok()
    }

    /// What the menu said before it had catalogs (a catalog that lost a key falls back here).
    fn english() -> ShellLabels {
        ShellLabels {
            show: "Show Ringside".into(),
            show_caller: "Show caller".into(),
            quit: "Quit".into(),
            popup_title: crate::popup::DEFAULT_POPUP_TITLE.into(),
        }
    }

    /// Trims every label; refuses an empty one, one with control characters, or one over
    /// 80 characters (says which).
    pub fn checked(self) -> Result<ShellLabels, String> {
        let check = |name: &str, value: String| {
            let value = value.trim().to_owned();
            if value.is_empty() || value.chars().any(char::is_control) {
                Err(format!("the {name} label must be a line of text"))
            } else if value.chars().count() > MAX_LABEL_CHARS {
                Err(format!(
                    "the {name} label is over {MAX_LABEL_CHARS} characters"
                ))
            } else {
                Ok(value)
            }
        };
        Ok(ShellLabels {
            show: check("show", self.show)?,
            show_caller: check("show_caller", self.show_caller)?,
            quit: check("quit", self.quit)?,
            popup_title: check("popup_title", self.popup_title)?,
        })
    }
}

/// The tray menu's items, kept to relabel them.
pub struct TrayMenu<R: Runtime> {
    show: MenuItem<R>,
    show_caller: MenuItem<R>,
    quit: MenuItem<R>,
}

impl<R: Runtime> TrayMenu<R> {
    pub fn relabel(&self, labels: &ShellLabels) -> tauri::Result<()> {
        self.show.set_text(&labels.show)?;
        self.show_caller.set_text(&labels.show_caller)?;
        self.quit.set_text(&labels.quit)
    }

    /// The labels shown now (for tests and logs).
    pub fn labels(&self) -> tauri::Result<[String; 3]> {
        Ok([
            self.show.text()?,
            self.show_caller.text()?,
            self.quit.text()?,
        ])
    }
}

/// Puts the tray icon up with its menu in `labels`' language.
pub fn install<R: Runtime>(app: &AppHandle<R>, labels: &ShellLabels) -> tauri::Result<()> {
    let show = MenuItem::with_id(app, SHOW, &labels.show, true, None::<&str>)?;
    let show_caller = MenuItem::with_id(app, SHOW_CALLER, &labels.show_caller, true, None::<&str>)?;
    let quit = MenuItem::with_id(app, QUIT, &labels.quit, true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&show, &show_caller, &quit])?;
    TrayIconBuilder::with_id("main")
        .icon(tauri::include_image!("../icons/32x32.png"))
        .tooltip("Ringside")
        .menu(&menu)
        .on_menu_event(|app, event| match event.id().as_ref() {
            SHOW => crate::main_window::show_or_log(app, "the tray's Show Ringside"),
            SHOW_CALLER => crate::popup::show(app),
            QUIT => app.exit(0),
            other => tracing::warn!(id = other, "unknown tray menu item"),
        })
        .build(app)?;
    // Managed once the icon is up: `is_installed` reads it.
    app.manage(TrayMenu {
        show,
        show_caller,
        quit,
    });
    Ok(())
}

/// Whether the tray icon is up ([`install`] succeeded): then the app can live without a
/// window, since "Show Ringside" brings one back.
pub fn is_installed<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.try_state::<TrayMenu<R>>().is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(show: &str) -> ShellLabels {
        ShellLabels {
            show: show.into(),
            show_caller: " Anrufer zeigen ".into(),
            quit: "Beenden".into(),
            popup_title: "Ringside: Anrufer".into(),
        }
    }

    #[test]
    fn the_first_labels_are_in_the_os_language_the_ui_speaks() {
        let german = ShellLabels::in_language(&["de_AT.UTF-8", "de_AT", "de", "C"]);
        assert_eq!(
            german.show, "Ringside anzeigen",
            "de_AT reads the German catalog"
        );
        assert_eq!(german.popup_title, "Ringside: Anrufer");
        assert_eq!(
            ShellLabels::in_language(&["pt_BR.UTF-8", "fr_FR@euro"]).quit,
            "Quitter",
            "a language the UI lacks is skipped, the next one used"
        );
        assert_eq!(
            ShellLabels::in_language(&["ar_EG.UTF-8"]).show_caller,
            "إظهار المتصل"
        );
        assert_eq!(
            ShellLabels::in_language(&["C"]),
            ShellLabels::english(),
            "no language the UI speaks: English, as the UI starts"
        );
        for (code, catalog) in CATALOGS {
            assert!(
                ShellLabels::from_catalog(catalog).is_some(),
                "the {code} catalog has all four labels, each a line of text"
            );
        }
    }

    #[test]
    fn labels_are_trimmed_and_bad_ones_refused() {
        let checked = labels("Ringside zeigen").checked().expect("fine labels");
        assert_eq!(checked.show_caller, "Anrufer zeigen", "trimmed");
        for bad in ["", "  ", "a\nb", &"x".repeat(81)] {
            let err = labels(bad).checked().expect_err("refused");
            assert!(err.contains("show label"), "names the label: {err}");
        }
        assert!(
            labels(&"ش".repeat(80)).checked().is_ok(),
            "80 Arabic characters fit"
        );
    }
}
