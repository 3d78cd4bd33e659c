//! The `oauth2` crate's async HTTP-client trait over our reqwest client, so sign-in uses the
//! same HTTP stack (TLS, proxies, timeouts) as the data API and the tree has one reqwest.

use std::future::Future;
use std::pin::Pin;

use oauth2::{AsyncHttpClient, HttpRequest, HttpResponse};

use crate::error::Error;

/// reqwest, never following redirects (a token endpoint that redirects is either
/// misconfigured or hostile; following could hand a code or token to another host).
#[derive(Debug, Clone)]
pub(crate) struct OAuthHttp {
    pub(crate) http: reqwest::Client,
}

impl<'c> AsyncHttpClient<'c> for OAuthHttp {
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, Error>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            // Path only: a query could carry a code.
            let endpoint = format!("{} {}", parts.method, parts.uri.path());
            let response = self
                .http
                .request(parts.method, parts.uri.to_string())
                .headers(parts.headers)
                .body(body)
                .send()
                .await
                .map_err(|e| Error::from_transport(endpoint.clone(), e))?;
            let mut builder = http::Response::builder().status(response.status());
            for (name, value) in response.headers() {
                builder = builder.header(name, value);
            }
            let bytes = response
                .bytes()
                .await
                .map_err(|e| Error::from_transport(endpoint.clone(), e))?;
            builder
                .body(bytes.to_vec())
                .map_err(|e| Error::UnexpectedResponse {
                    status: 0,
                    endpoint,
                    detail: format!("unreadable HTTP answer: {e}"),
                })
        })
    }
}
