//! What every request passes: the host check, the cross-site check, the security headers and
//! the request limits, against a real server on 127.0.0.1.

use crate::support::{args, browser_client, TestServer, ADMIN};
use gaillery_core::api::PhotoPage;
use gaillery_testkit as kit;
use reqwest::header::{CONTENT_TYPE, HOST, ORIGIN};
use reqwest::{RequestBuilder, Response};

const FORM: &str = "application/x-www-form-urlencoded";

async fn photo_count(server: &TestServer) -> usize {
    let page: PhotoPage = server.get("/api/photos").await.json().await.expect("page");
    page.photos.len()
}

async fn with_one_photo() -> (tempfile::TempDir, TestServer) {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    let (status, _) = server
        .upload(&[("kept.jpg", kit::photo_jpeg(300, 200, 1))])
        .await;
    assert_eq!(status, 201);
    (dir, server)
}

async fn send(request: RequestBuilder) -> Response {
    request.send().await.expect("request")
}

async fn error_of(response: Response) -> String {
    let body: serde_json::Value = response.json().await.expect("JSON error");
    body["error"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_site_cannot_wipe_the_gallery() {
    let (_dir, server) = with_one_photo().await;
    // The attack rides on the browser's cookie: a bearer token is no ambient credential.
    let browser = browser_client(&server.base, ADMIN).await;
    let wipe = || {
        browser
            .post(server.url("/_fn/delete_all_photos"))
            .header(CONTENT_TYPE, FORM)
            .body("")
    };
    // What a form on another site makes a browser send, old and new.
    for refused in [
        wipe().header(ORIGIN, "http://evil.example"),
        wipe().header("sec-fetch-site", "cross-site"),
        wipe()
            .header("sec-fetch-site", "cross-site")
            .header(ORIGIN, "http://evil.example"),
        wipe().header(ORIGIN, "null"),
    ] {
        let response = send(refused).await;
        assert_eq!(response.status(), 403);
        assert!(error_of(response)
            .await
            .contains("cross-site request refused"));
    }
    let id = {
        let page: PhotoPage = server.get("/api/photos").await.json().await.expect("page");
        page.photos[0].id.to_string()
    };
    let delete_one = browser
        .delete(server.url(&format!("/api/photos/{id}")))
        .header("sec-fetch-site", "cross-site");
    assert_eq!(send(delete_one).await.status(), 403);
    let upload = browser
        .post(server.url("/api/photos"))
        .header(ORIGIN, "http://evil.example")
        .header(CONTENT_TYPE, "multipart/form-data; boundary=x")
        .body("--x--\r\n");
    assert_eq!(send(upload).await.status(), 403);
    assert_eq!(photo_count(&server).await, 1, "nothing was deleted");

    // Reading is no change: another site's page may still load an image.
    let image = browser
        .get(server.url(&format!("/api/photos/{id}/thumbnail")))
        .header("sec-fetch-site", "cross-site");
    assert_eq!(send(image).await.status(), 200);

    // The page's own request, and a program's (no Origin, no Sec-Fetch-Site), go through.
    let own_page = wipe()
        .header("sec-fetch-site", "same-origin")
        .header(ORIGIN, server.base.clone());
    assert_eq!(send(own_page).await.status(), 200);
    assert_eq!(photo_count(&server).await, 0);
    let (status, _) = server
        .upload(&[("again.jpg", kit::photo_jpeg(300, 200, 2))])
        .await;
    assert_eq!(status, 201, "a program's upload");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_loopback_names_and_the_public_host_are_answered() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut serve = args(dir.path());
    serve.public_url = Some("https://photos.example.com".parse().expect("URL"));
    let server = TestServer::start_with(serve).await;
    let port = server
        .base
        .rsplit(':')
        .next()
        .unwrap_or_default()
        .to_owned();
    let get_as = |path: &str, host: String| server.client.get(server.url(path)).header(HOST, host);

    for host in [
        "evil.example".to_owned(),
        format!("evil.example:{port}"),
        format!("192.168.1.5:{port}"),
        "photos.example.com.evil.example".to_owned(),
    ] {
        for path in ["/", "/api/photos", "/healthz", "/_fn/list_tags"] {
            let response = send(get_as(path, host.clone())).await;
            assert_eq!(response.status(), 421, "{host} {path}");
            assert_eq!(
                response.headers()["x-content-type-options"],
                "nosniff",
                "refusals carry the headers too"
            );
        }
    }
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        "photos.example.com".to_owned(),
    ] {
        assert_eq!(
            send(get_as("/api/photos", host.clone())).await.status(),
            200,
            "{host}"
        );
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_run_only_their_own_scripts_and_images_stay_private() {
    let (_dir, server) = with_one_photo().await;
    let page = server.get("/").await;
    assert_eq!(page.status(), 200);
    let headers = page.headers().clone();
    let policy = headers["content-security-policy"].to_str().expect("ASCII");
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("the page's policy names a nonce");
    assert!(nonce.len() >= 16, "{nonce}");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "same-origin");
    let html = page.text().await.expect("page");
    let script_tags: Vec<&str> = html
        .split("<script")
        .skip(1)
        .map(|rest| rest.split('>').next().unwrap_or_default())
        .collect();
    assert!(!script_tags.is_empty(), "the page has its hydration script");
    for tag in script_tags {
        assert!(
            tag.contains(&format!("nonce=\"{nonce}\"")),
            "a script without the nonce: <script{tag}>"
        );
    }
    // Another request, another nonce.
    let again = server.get("/").await;
    assert!(!again.headers()["content-security-policy"]
        .to_str()
        .expect("ASCII")
        .contains(nonce));

    let api = server.get("/api/photos").await;
    assert_eq!(
        api.headers()["content-security-policy"],
        "default-src 'none'; frame-ancestors 'none'"
    );
    let page: PhotoPage = api.json().await.expect("page");
    let thumbnail = server
        .get(&format!("/api/photos/{}/thumbnail", page.photos[0].id))
        .await;
    assert_eq!(
        thumbnail.headers()["cache-control"],
        "private, max-age=31536000, immutable"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_that_ask_too_much_at_once_are_refused_with_the_limit() {
    let (_dir, server) = with_one_photo().await;

    let nine_tags = (0..9).map(|i| format!("tag=dog{i}")).collect::<Vec<_>>();
    let response = server
        .get(&format!("/api/photos?{}", nine_tags.join("&")))
        .await;
    assert_eq!(response.status(), 400);
    assert_eq!(
        error_of(response).await,
        "at most 8 search words in one request"
    );
    let eight_tags = nine_tags[..8].join("&");
    assert_eq!(
        server
            .get(&format!("/api/photos?{eight_tags}"))
            .await
            .status(),
        200
    );

    let long_text = "a".repeat(513);
    let response = server.get(&format!("/api/intent?text={long_text}")).await;
    assert_eq!(response.status(), 400);
    assert!(error_of(response).await.contains("at most 512 characters"));
    assert_eq!(
        server
            .get(&format!("/api/intent?text={}", &long_text[..512]))
            .await
            .status(),
        200
    );

    let ids: Vec<String> = (0..1_001).map(|i| format!("ids[{i}]={i:026x}")).collect();
    let response = send(
        server
            .client
            .post(server.url("/_fn/delete_photos"))
            .header(CONTENT_TYPE, FORM)
            .body(ids.join("&")),
    )
    .await;
    let body = response.text().await.expect("body");
    assert!(
        body.contains("at most 1000 photos in one request"),
        "{body}"
    );

    // A server function's body is ids and words: 256 KB is plenty, and more is refused. The
    // server answers before reading the body and closes that connection: a client of its own,
    // so the shared one's pool never hands it out again.
    let huge = format!("tag={}", "a".repeat(300 * 1024));
    let once = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let response = send(
        once.post(server.url("/_fn/count_tagged"))
            .header(CONTENT_TYPE, FORM)
            .body(huge),
    )
    .await;
    assert_eq!(response.status(), 413);
    assert_eq!(photo_count(&server).await, 1);
    server.stop().await;
}
