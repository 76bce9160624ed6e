'use strict';

// How the cockpit's charts get drawn (issue 20, total blocking time).
// - One chart per task: dcc.Graph starts every chart of a page from one task (its plot() calls Plotly.react in a
//   chain of promises), so a page with eleven charts blocked the main thread for all of them at once: 0.8 s on a
//   desktop, 3 s and more on a phone's CPU, with no paint and no input in between. Each Plotly.react call here
//   draws in a task of its own, in the order the calls came.
// - When it is about to be seen: a chart more than a screen away from the viewport waits until the page scrolls
//   near it (IntersectionObserver), so a phone draws the one or two charts on its screen, not all eleven. Before
//   printing every chart is drawn at once. A waiting chart's element has the class `cockpit-chart-waiting` and its
//   figure (`cockpitFigure`), which the text alternative (assets/a11y.js) reads: it is described like a drawn one.
// - A chart asked to draw again before its turn draws once, with the newest figure (both callers' promises settle
//   then); a chart whose element left the document is not drawn. Plotly.newPlot, restyle and relayout (a click, a
//   resize) still run at once.
module.exports = function oneChartPerTask(Plotly) {
    var WAITING = 'cockpit-chart-waiting';
    var react = Plotly.react;
    var queue = [];
    var waiting = [];
    var scheduled = false;
    var seen = typeof IntersectionObserver === 'undefined' ? null : new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) {
            if (!entry.isIntersecting) { return; }
            seen.unobserve(entry.target);
            release(function (job) { return job.element === entry.target; });
        });
    }, { rootMargin: '100% 0px 100% 0px' });

    function release(which) {
        waiting = waiting.filter(function (job) {
            if (!which(job)) { return true; }
            if (job.element) { job.element.classList.remove(WAITING); }
            queue.push(job);
            schedule();
            return false;
        });
    }

    function run(job) {
        var element = job.element;
        var done = function (result) { job.settle.forEach(function (s) { s.resolve(result); }); };
        var fail = function (error) { job.settle.forEach(function (s) { s.reject(error); }); };
        if (!element || !element.isConnected) { done(element); return; }
        try {
            Promise.resolve(react.apply(job.self, job.args)).then(done, fail);
        } catch (error) {
            fail(error);
        }
    }

    function next() {
        scheduled = false;
        var job = queue.shift();
        if (queue.length) { schedule(); }
        if (job) { run(job); }
    }

    function schedule() {
        if (!scheduled) {
            scheduled = true;
            setTimeout(next, 0);
        }
    }

    // Only a chart with something to draw waits: dcc.Graph draws each chart's empty placeholder first and asks
    // for its real figure only after that promise settled, so a waiting placeholder would hold the figure back.
    function hasTraces(figure) {
        return Boolean(figure && figure.data && figure.data.length);
    }

    function far(element) {
        if (!seen || !element || !element.isConnected) { return false; }
        var box = element.getBoundingClientRect();
        var height = window.innerHeight || document.documentElement.clientHeight;
        return box.bottom < -height || box.top > 2 * height;
    }

    Plotly.react = function (gd, figure) {
        var self = this;
        var args = arguments;
        var element = typeof gd === 'string' ? document.getElementById(gd) : gd;
        if (element && figure && figure.data) { element.cockpitFigure = figure; }
        return new Promise(function (resolve, reject) {
            var same = function (job) { return job.element === element; };
            var pending = queue.find(same) || waiting.find(same);
            if (pending) {
                pending.self = self;
                pending.args = args;
                pending.settle.push({ resolve: resolve, reject: reject });
                return;
            }
            var job = { element: element, self: self, args: args, settle: [{ resolve: resolve, reject: reject }] };
            if (far(element) && hasTraces(args[1])) {
                element.classList.add(WAITING);
                waiting.push(job);
                seen.observe(element);
                return;
            }
            queue.push(job);
            schedule();
        });
    };
    // The browser lays the page out for printing right after this event: every chart is drawn now, not in a task.
    window.addEventListener('beforeprint', function () {
        release(function () { return true; });
        while (queue.length) { run(queue.shift()); }
    });
    return Plotly;
};
