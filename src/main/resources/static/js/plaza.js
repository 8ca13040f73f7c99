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
// A file dropped onto a form marked .drop-zone goes into its file input (the input alone works without script).
document.addEventListener("dragover", (event) => {
    if (event.target.closest && event.target.closest(".drop-zone")) {
        event.preventDefault();
    }
});
document.addEventListener("drop", (event) => {
    const zone = event.target.closest && event.target.closest(".drop-zone");
    if (zone && event.dataTransfer.files.length) {
        event.preventDefault();
        zone.querySelector("input[type=file]").files = event.dataTransfer.files;
    }
});
// A form marked data-swap-busy is answered 503 with itself and the reason (the server is too busy for it now, say
// when to try again): show that answer, which htmx would otherwise drop as an error.
document.addEventListener("htmx:beforeSwap", (event) => {
    if (event.detail.xhr.status === 503 && event.detail.elt.matches && event.detail.elt.matches("[data-swap-busy]")) {
        event.detail.shouldSwap = true;
        event.detail.isError = false;
    }
});
