#pragma once
// Inline SVG charts for the HTML report: line charts, column charts
// (histograms), row charts (rankings) and heat strips. Every chart has a
// title, labelled axes with units and a legend; series differ by colour AND
// by dash pattern and marker shape, and every bar carries its value as text,
// so colour never carries meaning alone. All text passed in is escaped here.
//
// Thread-safety: pure functions returning markup.

#include <string>
#include <utility>
#include <vector>

namespace conflictlab::reports::detail {

struct Series {
    std::string name;
    std::vector<std::pair<double, double>> points;  // (x, y), x ascending
};

struct LineChart {
    std::string title;    // shown above the plot and as the accessible name
    std::string x_label;  // with unit, e.g. "time since start (s)"
    std::string y_label;  // with unit, e.g. "responses per second"
    std::vector<Series> series;
    // Non-empty: x values are indices into these category labels.
    std::vector<std::string> x_categories;
};
std::string line_chart(const LineChart& chart);

struct Bar {
    std::string label;
    double value = 0;
    std::string note;  // extra text after the value, e.g. "41.2 %"
};

struct BarChart {
    std::string title;
    std::string x_label;  // column charts: the category axis; row charts: the value axis
    std::string y_label;  // column charts: the value axis
    std::vector<Bar> bars;
};
// Vertical bars over categories (histograms), value printed on each bar.
std::string column_chart(const BarChart& chart);
// Horizontal bars, one row per item (rankings), "value · note" after each bar.
std::string row_chart(const BarChart& chart);

struct HeatStrip {
    std::string title;
    std::string x_label;  // "time since start (s)"
    std::string unit;     // what a cell counts, e.g. "conflicts"
    double slot_s = 1;    // width of one input slot in seconds
    std::vector<std::pair<std::string, std::vector<double>>> rows;  // name -> per slot
    std::size_t columns_max = 120;  // wider input is summed into fewer columns
};
// One strip per row: cells shaded in 5 labelled levels, the peak cell of each
// row marked with a triangle, and "total, peak" printed at the right.
std::string heat_strip(const HeatStrip& chart);

// Sums adjacent slots so at most `columns_max` remain; returns the factor.
std::size_t coarsen(std::vector<double>& values, std::size_t columns_max);

}  // namespace conflictlab::reports::detail
