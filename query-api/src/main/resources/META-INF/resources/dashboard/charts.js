// Chart.js (bundled from its WebJar by the Maven build) with the page's colours, light or dark.
const charts = new WeakMap();

function palette() {
  const css = getComputedStyle(document.documentElement);
  return {
    text: css.getPropertyValue('--muted').trim(),
    grid: css.getPropertyValue('--line').trim(),
    series: [1, 2, 3].map((i) => css.getPropertyValue(`--series-${i}`).trim()),
  };
}

/** Draws (or redraws) a chart on the canvas: `type` line or bar, one dataset per series. */
export function chart(canvas, type, labels, datasets, { stacked = false } = {}) {
  charts.get(canvas)?.destroy();
  const colors = palette();
  const instance = new window.Chart(canvas, {
    type,
    data: {
      labels,
      datasets: datasets.map((d, i) => ({
        ...d,
        borderColor: colors.series[i % 3],
        backgroundColor: type === 'line' ? `${colors.series[i % 3]}33` : colors.series[i % 3],
        fill: type === 'line',
        pointRadius: labels.length > 40 ? 0 : 2,
        cubicInterpolationMode: 'monotone',
      })),
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      plugins: { legend: { display: datasets.length > 1, labels: { color: colors.text } } },
      scales: {
        x: { stacked, ticks: { color: colors.text, maxRotation: 0, autoSkip: true }, grid: { color: colors.grid } },
        y: { stacked, beginAtZero: true, ticks: { color: colors.text }, grid: { color: colors.grid } },
      },
    },
  });
  charts.set(canvas, instance);
}
