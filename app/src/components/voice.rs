//! Voice commands: the microphone toggle in the header, what was heard and what was done, the
//! settings, and the help dialog. Transcripts become intents through the shared parser
//! (`gaillery_core::voice`); gallery-wide intents are carried out here (the timeline's in
//! `timeline`), and those about the open photo are handed to the lightbox through
//! [`VoiceCommands`].

mod help;
mod timeline;

use crate::components::albums::{add_to_album_by_voice, show_album_by_voice};
use crate::components::icons::IconMicrophone;
use crate::components::timeline::Timeline;
use crate::server_fns::{count_tagged, voice_vocabulary};
use crate::speech::{self, SpeechEvent};
use crate::state::{page_url, GalleryState};
use gaillery_core::voice::{Intent, Language, TagVocabulary};
use gaillery_core::PhotoId;
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use std::rc::Rc;

const SPEAK_SETTING: &str = "gaillery.voice.speak";
const LANGUAGE_SETTING: &str = "gaillery.voice.language";

/// An intent for the open photo, numbered so that saying the same thing twice acts twice.
#[derive(Clone, Debug, PartialEq)]
pub struct VoiceCommand {
    pub serial: u64,
    pub intent: Intent,
}

/// What voice shares with the lightbox: the command to carry out, and the reply to show.
#[derive(Clone, Copy)]
pub struct VoiceCommands {
    pub command: RwSignal<Option<VoiceCommand>>,
    reply: RwSignal<String>,
    speak_replies: RwSignal<bool>,
    language: RwSignal<Language>,
    /// The serial of the last command carried out, so a lightbox that mounts later does not
    /// replay an old one.
    handled: StoredValue<Option<u64>>,
}

impl VoiceCommands {
    pub fn new() -> VoiceCommands {
        VoiceCommands {
            command: RwSignal::new(None),
            reply: RwSignal::new(String::new()),
            speak_replies: RwSignal::new(false),
            language: RwSignal::new(Language::default()),
            handled: StoredValue::new(None),
        }
    }

    /// Shows (and, if the setting is on, says) what was done.
    pub fn reply(&self, text: impl Into<String>) {
        let text = text.into();
        if self.speak_replies.get_untracked() {
            speech::speak(&text, self.language.get_untracked().code());
        }
        self.reply.set(text);
    }

    /// The command not carried out yet, if any; tracked, so an effect that calls this runs
    /// for each new command.
    pub fn take_command(&self) -> Option<Intent> {
        let command = self.command.get()?;
        if self.handled.get_value() >= Some(command.serial) {
            return None;
        }
        self.handled.set_value(Some(command.serial));
        Some(command.intent)
    }

    /// The language commands are spoken in.
    pub fn language(&self) -> Language {
        self.language.get_untracked()
    }

    /// Shows and says `text`, whatever the setting: for what was asked to be read out.
    pub fn read_out(&self, text: impl Into<String>) {
        let text = text.into();
        speech::speak(&text, self.language.get_untracked().code());
        self.reply.set(text);
    }

    fn send(&self, intent: Intent) {
        let serial = self
            .command
            .with_untracked(|c| c.as_ref().map_or(0, |c| c.serial + 1));
        self.command.set(Some(VoiceCommand { serial, intent }));
    }
}

impl Default for VoiceCommands {
    fn default() -> Self {
        VoiceCommands::new()
    }
}

/// The microphone toggle with its status line, settings and help.
#[component]
pub fn VoiceControl(state: GalleryState, voice: VoiceCommands) -> impl IntoView {
    // Known only in the browser: the server renders the toggle, hydration then checks.
    let supported = RwSignal::new(true);
    let wanted = RwSignal::new(false);
    let listening = RwSignal::new(false);
    let interim = RwSignal::new(String::new());
    let heard = RwSignal::new(String::new());
    let help_open = RwSignal::new(false);
    let vocabulary: StoredValue<Option<TagVocabulary>> = StoredValue::new(None);
    let query = use_query_map();
    let navigate = use_navigate();
    // Only the library page has a timeline.
    let page_timeline = use_context::<Timeline>();

    Effect::new(move |_| {
        supported.set(speech::recognition_available());
        if let Some(speak) = crate::browser::stored_setting(SPEAK_SETTING) {
            voice.speak_replies.set(speak == "on");
        }
        if let Some(language) = crate::browser::stored_setting(LANGUAGE_SETTING)
            .and_then(|code| Language::from_code(&code))
        {
            voice.language.set(language);
        }
    });

    let open_photo =
        move || query.with_untracked(|q| q.get("photo").and_then(|raw| PhotoId::parse(&raw)));
    let act = {
        let navigate = navigate.clone();
        move |intent: Intent| {
            let go = {
                let navigate = navigate.clone();
                move |url: String| {
                    navigate(
                        &url,
                        NavigateOptions {
                            scroll: false,
                            ..Default::default()
                        },
                    )
                }
            };
            let photo_open = open_photo().is_some();
            match intent {
                Intent::ShowTag { tag } => {
                    let known =
                        vocabulary.with_value(|v| v.as_ref().is_none_or(|v| v.contains(&tag)));
                    if !known {
                        voice.reply(format!(
                            "I don't know “{tag}”. Say “help” for what you can say."
                        ));
                        return;
                    }
                    leptos::task::spawn_local(async move {
                        match count_tagged(tag.clone()).await {
                            Ok(0) => voice.reply(format!("No {tag} photos yet")),
                            Ok(count) => {
                                go(page_url(std::slice::from_ref(&tag), None));
                                let noun = if count == 1 { "photo" } else { "photos" };
                                voice.reply(format!("Showing {count} {tag} {noun}"));
                            }
                            Err(error) => {
                                voice.reply(format!("Could not search for {tag}: {error}"))
                            }
                        }
                    });
                }
                Intent::ShowAll => {
                    go(page_url(&[], None));
                    voice.reply("Showing all photos");
                }
                Intent::Help => {
                    help_open.set(true);
                    voice.reply("Here is what you can say");
                }
                Intent::Close if help_open.get_untracked() => {
                    help_open.set(false);
                    voice.reply("Closed the help");
                }
                Intent::None => {
                    voice.reply("Sorry, I didn't understand. Say “help” for what you can say.")
                }
                Intent::ShowAlbum { album } => show_album_by_voice(voice, album),
                Intent::AddToAlbum { album } if !photo_open => {
                    let selected: Vec<PhotoId> = state
                        .selected
                        .with_untracked(|s| s.iter().cloned().collect());
                    if selected.is_empty() {
                        voice.reply("Open a photo or select photos first");
                    } else {
                        add_to_album_by_voice(voice, state, album, selected);
                    }
                }
                // In the viewer, the newest photo is the first; the timeline waits behind it.
                Intent::GoToTop if photo_open => voice.send(Intent::First),
                intent if photo_open && timeline::is_timeline_intent(&intent) => {
                    voice.reply("Close the photo first, then say where to go")
                }
                intent if timeline::is_timeline_intent(&intent) => {
                    timeline::move_timeline(voice, page_timeline, intent)
                }
                // Everything else is about the open photo; with none open, some open one.
                intent if photo_open => voice.send(intent),
                Intent::OpenGallery | Intent::Next | Intent::First | Intent::SlideshowStart => {
                    let first = state
                        .photos
                        .with_untracked(|photos| photos.first().cloned());
                    match first {
                        Some(photo) => {
                            go(state.page_url(Some(&photo.id)));
                            if intent == Intent::SlideshowStart {
                                // The lightbox mounts with the navigation; it picks this up.
                                voice.send(Intent::SlideshowStart);
                            } else {
                                voice.reply(format!("Opened {}", photo.filename));
                            }
                        }
                        None => voice.reply("There are no photos to open yet"),
                    }
                }
                Intent::Close => voice.reply("Nothing is open"),
                Intent::Confirm | Intent::Cancel => voice.reply("There is nothing to confirm"),
                _ => voice.reply("Open a photo first: say “open the gallery”"),
            }
        }
    };

    let on_speech = {
        let act = act.clone();
        move |event: SpeechEvent| match event {
            SpeechEvent::Started => listening.set(true),
            SpeechEvent::Interim(text) => interim.set(text),
            SpeechEvent::Final(text) => {
                interim.set(String::new());
                if text.is_empty() {
                    return;
                }
                heard.set(text.clone());
                let intent = vocabulary.with_value(|v| {
                    voice.language.get_untracked().grammar().parse(
                        &text,
                        v.as_ref(),
                        timeline::this_month(),
                    )
                });
                act(intent);
            }
            SpeechEvent::Error(code) => match code.as_str() {
                // Silence: the session ends and starts again by itself.
                "no-speech" => voice.reply("No speech was heard. Still listening."),
                "aborted" => {}
                code => {
                    wanted.set(false);
                    voice.reply(error_message(code));
                }
            },
            SpeechEvent::Ended => {
                listening.set(false);
                interim.set(String::new());
                // Browsers end sessions after silence; while voice is on, listen again.
                if wanted.get_untracked() {
                    start_session();
                }
            }
        }
    };
    // The session starter lives in the browser only (it holds browser callbacks), made once
    // the page is interactive.
    let on_speech = Rc::new(on_speech);
    Effect::new(move |_| {
        let on_speech = on_speech.clone();
        let start: Rc<dyn Fn()> = Rc::new(move || {
            let handler = on_speech.clone();
            let language = voice.language.get_untracked().code();
            if let Err(message) = speech::start_listening(language, move |event| handler(event)) {
                wanted.set(false);
                voice.reply(format!("Voice commands could not start: {message}"));
            }
        });
        SESSION_STARTER.with_borrow_mut(|starter| *starter = Some(start));
    });

    let toggle = move || {
        if !supported.get_untracked() {
            voice.reply(UNSUPPORTED);
            return;
        }
        if wanted.get_untracked() {
            wanted.set(false);
            speech::stop_listening();
            voice.reply("Voice commands are off");
            return;
        }
        wanted.set(true);
        heard.set(String::new());
        voice.reply("Listening… say “help” for what you can say");
        if vocabulary.with_value(Option::is_none) {
            leptos::task::spawn_local(async move {
                // Without it tags are taken as heard: commands still work.
                if let Ok(terms) = voice_vocabulary().await {
                    vocabulary.set_value(Some(TagVocabulary::new(terms)));
                }
            });
        }
        start_session();
    };

    // "v" toggles, unless typing.
    let shortcut = window_event_listener(leptos::ev::keydown, move |ev: KeyboardEvent| {
        if ev.key() != "v" || ev.alt_key() || ev.ctrl_key() || ev.meta_key() || ev.repeat() {
            return;
        }
        if crate::browser::typing_in_field(&ev) {
            return;
        }
        ev.prevent_default();
        toggle();
    });
    on_cleanup(move || shortcut.remove());

    let label = move || {
        if !supported.get() {
            "Voice commands are not available"
        } else if wanted.get() {
            "Stop voice commands"
        } else {
            "Start voice commands"
        }
    };
    view! {
        <div class="voice">
            <button
                class="icon-button voice-toggle"
                class:listening=move || listening.get()
                aria-label=label
                title=move || format!("{} (V)", label())
                aria-pressed=move || if wanted.get() { "true" } else { "false" }
                aria-disabled=move || if supported.get() { "false" } else { "true" }
                on:click=move |_| toggle()
            >
                <IconMicrophone/>
            </button>
            <VoiceSettings voice/>
            // Framed only while it has something to say. (`:empty` cannot tell: the server
            // renders an empty text as a space.)
            <div
                class="voice-status"
                class:saying=move || {
                    !(interim.with(String::is_empty)
                        && heard.with(String::is_empty)
                        && voice.reply.with(String::is_empty))
                }
                role="status"
                aria-label="Voice"
            >
                <Show when=move || !interim.with(String::is_empty)>
                    <span class="voice-interim">{move || interim.get()}</span>
                </Show>
                <Show when=move || !heard.with(String::is_empty)>
                    <span class="voice-heard">"Heard “" {move || heard.get()} "”"</span>
                </Show>
                <span class="voice-reply">{move || voice.reply.get()}</span>
            </div>
            <Show when=move || help_open.get()>
                <help::VoiceHelp on_close=Callback::new(move |()| help_open.set(false))/>
            </Show>
        </div>
    }
}

thread_local! {
    /// Starts a recognition session with the page's handlers: the toggle needs it, and so
    /// does the session's own `end` handler (to listen again), which it is made from.
    static SESSION_STARTER: std::cell::RefCell<Option<Rc<dyn Fn()>>> =
        const { std::cell::RefCell::new(None) };
}

fn start_session() {
    // Cloned out first: starting ends the previous session, whose handler may start again.
    let starter = SESSION_STARTER.with_borrow(|starter| starter.clone());
    if let Some(start) = starter {
        start();
    }
}

const UNSUPPORTED: &str =
    "Voice commands need a browser with speech recognition, such as Chrome, Edge or Safari.";

/// What to tell the user about a recogniser error; voice is off after it.
fn error_message(code: &str) -> String {
    match code {
        "not-allowed" | "service-not-allowed" => {
            "Microphone access was denied. Allow the microphone for this site to use voice commands.".into()
        }
        "audio-capture" => "No microphone was found. Connect one to use voice commands.".into(),
        "network" => "Speech recognition needs a network connection. Voice commands are off.".into(),
        "language-not-supported" => {
            "This browser cannot recognise speech in the chosen language.".into()
        }
        other => format!("Voice commands stopped ({other})."),
    }
}

/// Language and spoken replies, kept in the browser.
#[component]
fn VoiceSettings(voice: VoiceCommands) -> impl IntoView {
    view! {
        <details class="voice-settings">
            <summary aria-label="Voice settings" title="Voice settings">"⋯"</summary>
            <div class="voice-settings-panel">
                <label>
                    "Language "
                    <select
                        on:change=move |ev| {
                            let code = event_target_value(&ev);
                            if let Some(language) = Language::from_code(&code) {
                                voice.language.set(language);
                                crate::browser::store_setting(LANGUAGE_SETTING, language.code());
                            }
                        }
                        prop:value=move || voice.language.get().code()
                    >
                        {Language::ALL.iter().map(|language| view! {
                            <option value=language.code()>{language.name()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    <input
                        type="checkbox"
                        prop:checked=move || voice.speak_replies.get()
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            voice.speak_replies.set(on);
                            crate::browser::store_setting(SPEAK_SETTING, if on { "on" } else { "off" });
                        }
                    />
                    " Speak replies"
                </label>
            </div>
        </details>
    }
}
