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
// The hosting form's later phases: rows are added from the page's template and removed, and renumbered so that they
// stay laterPhases[0..] and "Phase 2..". Without script the rows the server rendered are there to fill in.
document.addEventListener("DOMContentLoaded", () => {
    const rows = document.getElementById("later-phase-rows");
    const template = document.getElementById("later-phase-template");
    const add = document.getElementById("add-phase");
    if (!rows || !template || !add) {
        return;
    }
    const max = Number(rows.dataset.max);
    const limit = document.getElementById("phase-limit");
    const heading = template.content.querySelector("h4").textContent;
    const renumber = () => {
        rows.querySelectorAll(".later-phase").forEach((row, index) => {
            row.id = "later-phase-" + index;
            row.querySelector("h4").textContent = heading.replace("{n}", String(index + 2));
            row.querySelectorAll("[name^='laterPhases[']").forEach((field) => {
                field.name = field.name.replace(/^laterPhases\[\d+\]/, "laterPhases[" + index + "]");
            });
        });
        const full = rows.querySelectorAll(".later-phase").length >= max;
        add.hidden = full;
        limit.hidden = !full;
    };
    add.addEventListener("click", () => {
        const index = rows.querySelectorAll(".later-phase").length;
        const row = template.content.firstElementChild.cloneNode(true);
        row.querySelectorAll("[name]").forEach((field) => {
            field.name = field.name.replace("__i__", String(index));
        });
        rows.appendChild(row);
        renumber();
        row.querySelector("input").focus();
    });
    rows.addEventListener("click", (event) => {
        if (event.target.matches(".remove-phase")) {
            event.target.closest(".later-phase").remove();
            renumber();
        }
    });
    rows.querySelectorAll(".remove-phase").forEach((button) => {
        button.hidden = false;
    });
    renumber();
});
