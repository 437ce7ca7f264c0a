//! `/albums`: one's albums as cards (cover, title, count), and a form to make a new one.

use crate::components::forms::failure;
use crate::components::icons::IconAlbum;
use crate::components::layout::SubpageTopBar;
use crate::components::sign_in::FormError;
use crate::server_fns::{album_cards, AlbumCard, CreateAlbum};
use gaillery_core::percent::percent_encode;
use gaillery_core::Variant;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AlbumsPage() -> impl IntoView {
    let create = ServerAction::<CreateAlbum>::new();
    let cards = Resource::new(move || create.version().get(), |_| album_cards());
    // A new album opens at once, ready for its photos.
    Effect::new(move |_| {
        if let Some(Ok(album)) = create.value().get() {
            crate::browser::open_page(&format!("/albums/{}", percent_encode(&album.id)));
        }
    });
    view! {
        <Title text="Albums · GAiLLERY"/>
        <SubpageTopBar/>
        <main class="albums-page">
            <h1>"Albums"</h1>
            <ActionForm action=create attr:class="album-new">
                <label for="album-title">"New album"</label>
                <input id="album-title" name="title" type="text" required maxlength="200"
                    placeholder="Holidays" autocomplete="off"/>
                <button class="button primary" type="submit">"Create album"</button>
            </ActionForm>
            <FormError value=failure(create.value())/>
            <Transition fallback=|| view! { <p class="status-line">"Loading albums…"</p> }>
                {move || Suspend::new(async move {
                    match cards.await {
                        Ok(cards) if cards.is_empty() => view! {
                            <section class="empty-state" aria-label="Albums">
                                <div class="empty-art"><IconAlbum/></div>
                                <h2>"No albums yet"</h2>
                                <p>"Make one above, or select photos in the gallery and choose "
                                    <strong>"Add to album"</strong>"."</p>
                            </section>
                        }.into_any(),
                        Ok(cards) => view! {
                            <ul class="album-cards" aria-label="Your albums">
                                {cards.into_iter().map(|card| view! { <AlbumCardView card/> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! {
                            <p class="status-line" role="alert">
                                "The albums could not be loaded: " {error.to_string()}
                            </p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

#[component]
fn AlbumCardView(card: AlbumCard) -> impl IntoView {
    let AlbumCard { album, cover } = card;
    let count = crate::components::albums::count_text(album.photo_count);
    view! {
        <li class="album-card">
            <a href=format!("/albums/{}", percent_encode(&album.id)) rel="external">
                <span class="album-cover">
                    {match cover {
                        Some(photo) => view! {
                            <img src=photo.url(Variant::Thumbnail) alt="" loading="lazy"/>
                        }.into_any(),
                        None => view! { <IconAlbum/> }.into_any(),
                    }}
                </span>
                <span class="album-title">{album.title}</span>
                <span class="album-count">{count}</span>
            </a>
        </li>
    }
}
