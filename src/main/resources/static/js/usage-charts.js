// The usage page's charts: one uPlot per [data-usage-chart] element, drawn from the numbers the server put in its
// data-series ({"days": [epoch seconds], "values": {"name": [one number per day]}}), one line per name.
(function () {
    const colours = ["#4f46e5", "#047857", "#b45309", "#be123c", "#0369a1", "#6d28d9", "#4d7c0f", "#a21caf"];

    /** The y axis as wide as its longest label (uPlot's default 50 px cuts "1,000,000" to "0,000"), as uPlot's demo sizes it. */
    function yAxisSize(self, values, axisIdx, cycleNum) {
        const axis = self.axes[axisIdx];
        if (cycleNum > 1) {
            return axis._size;
        }
        let size = axis.ticks.size + axis.gap;
        const longest = (values || []).reduce((acc, value) => (value.length > acc.length ? value : acc), "");
        if (longest !== "") {
            self.ctx.font = axis.font[0];
            size += self.ctx.measureText(longest).width / devicePixelRatio;
        }
        return Math.ceil(size);
    }

    function draw() {
        if (typeof uPlot === "undefined") {
            return;
        }
        document.querySelectorAll("[data-usage-chart]").forEach((host) => {
            const series = JSON.parse(host.dataset.series);
            if (series.days.length === 0 || host.dataset.drawn) {
                return;
            }
            host.dataset.drawn = "true";
            const names = Object.keys(series.values);
            // A single time would get an axis of years around it: a day either side instead.
            const only = series.days.length === 1 ? series.days[0] : null;
            new uPlot({
                title: host.dataset.title,
                width: Math.max(280, host.clientWidth - 16),
                height: 220,
                scales: {x: only === null ? {time: true} : {time: true, range: [only - 86400, only + 86400]}},
                axes: [{}, {size: yAxisSize}],
                series: [{label: host.dataset.x}].concat(names.map((name, i) => ({
                    label: name, stroke: colours[i % colours.length], width: 2, points: {show: true},
                }))),
            }, [series.days].concat(names.map((name) => series.values[name])), host);
        });
    }

    document.addEventListener("DOMContentLoaded", draw);
})();
