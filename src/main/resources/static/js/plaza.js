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
// htmx drops 4xx answers; a panel marked data-swap-refusals answers a refused form (400, 403) with itself and the
// reason, the same answer a form posted without script gets, so it is swapped in like a success.
document.addEventListener("htmx:beforeSwap", (event) => {
    const status = event.detail.xhr.status;
    if ((status === 400 || status === 403) && event.detail.target.matches("[data-swap-refusals]")) {
        event.detail.shouldSwap = true;
        event.detail.isError = false;
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
