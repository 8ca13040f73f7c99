// Sends the CSRF token with every HTMX request, and shows upload progress on forms that ask for it.
document.addEventListener("htmx:configRequest", (event) => {
    const token = document.querySelector("meta[name=_csrf]");
    const header = document.querySelector("meta[name=_csrf_header]");
    if (token && header) {
        event.detail.headers[header.content] = token.content;
    }
});
document.addEventListener("htmx:xhr:progress", (event) => {
    const bar = event.target.querySelector("progress");
    if (bar && event.detail.lengthComputable) {
        bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
    }
});
