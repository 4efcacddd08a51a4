//! The page routes as a table as well as a router, built by the same calls.
//!
//! Axum's [`Router`] cannot say which routes it holds, but some rules must
//! hold for every page route of a kind: every form (POST) route refuses
//! cross-origin posts, and the tests prove it route by route. A list kept
//! by hand next to the router would fall behind the first time a form is
//! added, so the page modules declare their routes through [`PageRoutes`],
//! whose `route` takes only [`get`]/[`post`] method sets from here: each
//! call adds the handler to the router *and* its method and path to the
//! table. A route added with axum's own `get` does not compile here.
//! [`crate::page_routes`] hands the table to the tests.

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::MethodRouter;

use axum::response::Redirect;

use crate::AppState;
use crate::context::RequestContext;

/// A page route's method and its path relative to the portal's mount point
/// (`/billing/methods/{id}/remove`).
pub type PageRoute = (Method, &'static str);

/// The methods of one page path, with their handlers.
pub struct Methods {
    router: MethodRouter<AppState>,
    methods: Vec<Method>,
}

/// A `GET` (and `HEAD`) handler, like axum's `get`.
pub fn get<H, T>(handler: H) -> Methods
where
    H: Handler<T, AppState>,
    T: 'static,
{
    Methods {
        router: MethodRouter::new(),
        methods: Vec::new(),
    }
    .get(handler)
}

/// A `POST` handler, like axum's `post`.
pub fn post<H, T>(handler: H) -> Methods
where
    H: Handler<T, AppState>,
    T: 'static,
{
    Methods {
        router: MethodRouter::new(),
        methods: Vec::new(),
    }
    .post(handler)
}

/// A form's `POST` handler at an address with no page of its own; a `GET`
/// there (the address reloaded after a refused form, a bookmark, the back
/// button) goes to `page`, the form's page under the mount, not to a bare
/// 405.
pub fn form_post<H, T>(handler: H, page: &'static str) -> Methods
where
    H: Handler<T, AppState>,
    T: 'static,
{
    post(handler).get(move |context: RequestContext| async move {
        Redirect::to(&format!("{}{page}", context.base))
    })
}

impl Methods {
    /// Wraps these methods' handlers in `layer`, like axum's
    /// `MethodRouter::layer` (a header for one page, say).
    pub fn layer<L>(self, layer: L) -> Self
    where
        L: tower::Layer<axum::routing::Route> + Clone + Send + Sync + 'static,
        L::Service: tower::Service<axum::extract::Request> + Clone + Send + Sync + 'static,
        <L::Service as tower::Service<axum::extract::Request>>::Response:
            axum::response::IntoResponse + 'static,
        <L::Service as tower::Service<axum::extract::Request>>::Error:
            Into<std::convert::Infallible> + 'static,
        <L::Service as tower::Service<axum::extract::Request>>::Future: Send + 'static,
    {
        Self {
            router: self.router.layer(layer),
            methods: self.methods,
        }
    }

    /// Adds a `GET` handler.
    pub fn get<H, T>(mut self, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.router = self.router.get(handler);
        self.methods.push(Method::GET);
        self
    }

    /// Adds a `POST` handler.
    pub fn post<H, T>(mut self, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.router = self.router.post(handler);
        self.methods.push(Method::POST);
        self
    }
}

/// The page routes: the router and the table of what it routes.
pub struct PageRoutes {
    router: Router<AppState>,
    table: Vec<PageRoute>,
}

impl PageRoutes {
    /// No routes yet.
    pub fn new() -> Self {
        Self {
            router: Router::new(),
            table: Vec::new(),
        }
    }

    /// Routes `path` to `methods`, like [`Router::route`].
    pub fn route(mut self, path: &'static str, methods: Methods) -> Self {
        self.router = self.router.route(path, methods.router);
        self.table
            .extend(methods.methods.into_iter().map(|method| (method, path)));
        self
    }

    /// Adds another set of page routes, like [`Router::merge`].
    pub fn merge(mut self, other: PageRoutes) -> Self {
        self.router = self.router.merge(other.router);
        self.table.extend(other.table);
        self
    }

    /// The router to serve.
    pub fn into_router(self) -> Router<AppState> {
        self.router
    }

    /// The table of routes, in the order they were declared.
    pub fn into_table(self) -> Vec<PageRoute> {
        self.table
    }
}
