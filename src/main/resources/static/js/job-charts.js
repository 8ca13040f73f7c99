// The job page's charts: loss and accuracy per epoch of the current attempt, drawn with uPlot from
// the numbers the server put in #job-series (data-series), and drawn again each time the live panel is swapped in.
(function () {
    const charts = {};

    function draw() {
        const source = document.getElementById("job-series");
        if (!source || typeof uPlot === "undefined") {
            return;
        }
        const series = JSON.parse(source.dataset.series);
        if (series.epoch.length === 0) {
            return;
        }
        document.getElementById("charts").hidden = false;
        [["loss", "#4f46e5"], ["accuracy", "#047857"]].forEach(([name, colour]) => {
            const host = document.getElementById("chart-" + name);
            if (!host) {
                return;
            }
            const data = [series.epoch, series[name]];
            if (charts[name]) {
                charts[name].setData(data);
                return;
            }
            charts[name] = new uPlot({
                title: host.dataset.title,
                width: Math.max(280, host.clientWidth - 16),
                height: 200,
                scales: {x: {time: false}},
                // Epochs are whole numbers.
                axes: [{incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]}, {}],
                legend: {live: false},
                series: [{label: host.dataset.x}, {label: host.dataset.title, stroke: colour, width: 2, spanGaps: true}],
            }, data, host);
        });
    }

    document.addEventListener("DOMContentLoaded", draw);
    document.addEventListener("htmx:afterSwap", draw);
})();
