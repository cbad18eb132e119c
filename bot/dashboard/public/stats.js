// Statistiques: the two charts, drawn from the figures the page carries (#stats-data), and the print button.
document.addEventListener('DOMContentLoaded', function () {
  var printButton = document.getElementById('print');
  if (printButton)
    printButton.addEventListener('click', function () {
      window.print();
    });
  var data = JSON.parse(document.getElementById('stats-data').textContent);
  if (!window.Chart) return;
  var bar = function (id, rows, label, color) {
    var canvas = document.getElementById(id);
    if (!canvas) return;
    new window.Chart(canvas, {
      type: 'bar',
      data: {
        labels: rows.map(function (r) {
          return r.label;
        }),
        datasets: [
          {
            label: label,
            data: rows.map(function (r) {
              return r.value;
            }),
            backgroundColor: color,
          },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  };
  bar('chart-stages', data.stages, data.labels.active, '#1d4ed8');
  bar('chart-exits', data.outcomes, data.labels.exits, '#166534');
});
