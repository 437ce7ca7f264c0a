//! The browser's speech: recognition (`SpeechRecognition`, or Chrome's and Safari's
//! `webkitSpeechRecognition`) through web-sys, and spoken replies through `speechSynthesis`.
//! On the server, and in browsers without the API, nothing here does anything.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// What a recognition session reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpeechEvent {
    /// The microphone is open.
    Started,
    /// Words being heard, not final yet.
    Interim(String),
    /// A finished utterance.
    Final(String),
    /// The recogniser's error code: `not-allowed`, `no-speech`, `audio-capture`, `network`...
    Error(String),
    /// The session is over (the browser ends it after silence, or after `stop`).
    Ended,
}

/// The recogniser's constructor, if the browser has one.
fn recognition_constructor() -> Option<js_sys::Function> {
    let window = web_sys::window()?;
    ["SpeechRecognition", "webkitSpeechRecognition"]
        .into_iter()
        .filter_map(|name| js_sys::Reflect::get(&window, &JsValue::from_str(name)).ok())
        .find_map(|value| value.dyn_into::<js_sys::Function>().ok())
}

/// Whether this browser can recognise speech.
pub fn recognition_available() -> bool {
    recognition_constructor().is_some()
}

/// One recogniser for the page, with its callbacks.
struct Recognizer {
    recognition: web_sys::SpeechRecognition,
    _callbacks: Vec<Closure<dyn FnMut(JsValue)>>,
}

thread_local! {
    /// The number of the newest session.
    static SESSION: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    static RECOGNIZER: std::cell::RefCell<Option<Recognizer>> = const { std::cell::RefCell::new(None) };
}

/// Starts a continuous session in `language` (BCP 47), replacing any earlier recogniser;
/// `on_event` hears everything it reports. Fails with a message when the browser refuses.
pub fn start_listening(
    language: &str,
    on_event: impl Fn(SpeechEvent) + 'static,
) -> Result<(), String> {
    let constructor = recognition_constructor()
        .ok_or_else(|| "this browser has no speech recognition".to_owned())?;
    let recognition: web_sys::SpeechRecognition =
        js_sys::Reflect::construct(&constructor, &js_sys::Array::new())
            .map_err(describe)?
            .unchecked_into();
    recognition.set_lang(language);
    // Continuous: one session hears many commands. Safari may refuse the setter; one command
    // per session still works, as sessions restart after `end`.
    let _ = recognition.set_continuous(true);
    recognition.set_interim_results(true);
    recognition.set_max_alternatives(1);

    // Only the newest session reports: an older one's late `end` must not start yet another
    // session (which would end this one, whose `end` would start another...).
    let session = SESSION.with(|current| {
        current.set(current.get() + 1);
        current.get()
    });
    let on_event = std::rc::Rc::new(move |event: SpeechEvent| {
        if SESSION.with(|current| current.get()) == session {
            on_event(event);
        }
    });
    let callback = |handler: Box<dyn Fn(JsValue)>| Closure::<dyn FnMut(JsValue)>::new(handler);
    let started = callback(Box::new({
        let on_event = on_event.clone();
        move |_| on_event(SpeechEvent::Started)
    }));
    let result = callback(Box::new({
        let on_event = on_event.clone();
        move |event: JsValue| {
            let event: web_sys::SpeechRecognitionEvent = event.unchecked_into();
            let (interim, finals) = transcripts(&event);
            for text in finals {
                on_event(SpeechEvent::Final(text));
            }
            if !interim.is_empty() {
                on_event(SpeechEvent::Interim(interim));
            }
        }
    }));
    let error = callback(Box::new({
        let on_event = on_event.clone();
        move |event: JsValue| {
            // Read as a string: the code list grows, and an unknown code is still reported.
            let code = js_sys::Reflect::get(&event, &JsValue::from_str("error"))
                .ok()
                .and_then(|code| code.as_string())
                .unwrap_or_else(|| "unknown".to_owned());
            on_event(SpeechEvent::Error(code));
        }
    }));
    let ended = callback(Box::new({
        let on_event = on_event.clone();
        move |_| on_event(SpeechEvent::Ended)
    }));
    recognition.set_onstart(Some(started.as_ref().unchecked_ref()));
    recognition.set_onresult(Some(result.as_ref().unchecked_ref()));
    recognition.set_onerror(Some(error.as_ref().unchecked_ref()));
    recognition.set_onend(Some(ended.as_ref().unchecked_ref()));

    // The previous recogniser (if any) stops; its events are ignored from here on.
    stop_listening();
    recognition.start().map_err(describe)?;
    RECOGNIZER.with_borrow_mut(|current| {
        *current = Some(Recognizer {
            recognition,
            _callbacks: vec![started, result, error, ended],
        })
    });
    Ok(())
}

/// Ends the session; its `end` still arrives.
pub fn stop_listening() {
    RECOGNIZER.with_borrow(|current| {
        if let Some(recognizer) = current {
            recognizer.recognition.stop();
        }
    });
}

/// The interim text and the final utterances of a result event: the results from
/// `resultIndex` on are the ones that changed.
fn transcripts(event: &web_sys::SpeechRecognitionEvent) -> (String, Vec<String>) {
    let mut interim = String::new();
    let mut finals = Vec::new();
    let Some(results) = event.results() else {
        return (interim, finals);
    };
    for index in event.result_index()..results.length() {
        let Some(result) = results.get(index) else {
            continue;
        };
        let Some(best) = result.get(0) else { continue };
        let text = best.transcript();
        if result.is_final() {
            finals.push(text.trim().to_owned());
        } else {
            interim.push_str(&text);
        }
    }
    (interim.trim().to_owned(), finals)
}

/// Says `text` aloud in `language`, interrupting an earlier reply.
pub fn speak(text: &str, language: &str) {
    let Some(synthesis) = web_sys::window().and_then(|w| w.speech_synthesis().ok()) else {
        return;
    };
    if let Ok(utterance) = web_sys::SpeechSynthesisUtterance::new_with_text(text) {
        utterance.set_lang(language);
        synthesis.cancel();
        synthesis.speak(&utterance);
    }
}

fn describe(error: JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "the browser refused".to_owned())
}
