// Chart geometry: a fixed 720-pixel-wide canvas (scaled by CSS), a plot
// rectangle inside margins, "nice" 1-2-5 ticks. Numbers are printed with
// fixed precision so the same data gives byte-identical markup.
#include "svg.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "text.hpp"

namespace conflictlab::reports::detail {

namespace {

constexpr double kWidth = 720;
// Okabe-Ito palette (distinguishable with colour-vision deficiencies).
const char* const kColours[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                "#E69F00", "#56B4E9", "#000000", "#F0E442"};
const char* const kDashes[] = {"", "6 3", "2 3", "8 3 2 3", "12 4", "4 2 1 2", "1 2", "10 2 2 2"};
constexpr std::size_t kStyles = 8;
// Heat levels (1..5); level 0 (no event) is white.
const char* const kHeat[] = {"#ffffff", "#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c"};

std::string n(double v) {
    // Coordinates: one decimal is plenty and keeps the markup small.
    std::string s = format_fixed(v, 1);
    if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0)
        s.resize(s.size() - 2);
    return s;
}

double nice_step(double range, int ticks) {
    if (range <= 0)
        return 1;
    const double raw = range / ticks;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    const double f = raw / mag;
    const double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
    return nice * mag;
}

struct Axis {
    double lo = 0, hi = 1, step = 1;
};

Axis axis_for(double lo, double hi, int ticks) {
    Axis a;
    if (!(hi > lo)) {
        hi = lo + 1;
    }
    a.step = nice_step(hi - lo, ticks);
    a.lo = std::floor(lo / a.step) * a.step;
    a.hi = std::ceil(hi / a.step) * a.step;
    return a;
}

std::string svg_open(double height, const std::string& title) {
    return "<svg class=\"chart\" viewBox=\"0 0 " + n(kWidth) + " " + n(height) +
           "\" role=\"img\" aria-label=\"" + escape_html(title) + "\"><title>" +
           escape_html(title) + "</title>";
}

std::string text(double x, double y, const std::string& content, const char* anchor = "start",
                 const char* cls = nullptr) {
    std::string s = "<text x=\"" + n(x) + "\" y=\"" + n(y) + "\"";
    if (std::string_view(anchor) != "start")
        s += std::string(" text-anchor=\"") + anchor + "\"";
    if (cls)
        s += std::string(" class=\"") + cls + "\"";
    return s + ">" + escape_html(content) + "</text>";
}

std::string line(double x1, double y1, double x2, double y2, const char* cls) {
    return "<line class=\"" + std::string(cls) + "\" x1=\"" + n(x1) + "\" y1=\"" + n(y1) +
           "\" x2=\"" + n(x2) + "\" y2=\"" + n(y2) + "\"/>";
}

// Marker shape i (circle, square, triangle, diamond, cross, plus, ...).
std::string marker(std::size_t i, double x, double y, const char* colour) {
    const std::string c = colour;
    switch (i % kStyles) {
        case 0:
            return "<circle cx=\"" + n(x) + "\" cy=\"" + n(y) + "\" r=\"3.5\" fill=\"" + c + "\"/>";
        case 1:
            return "<rect x=\"" + n(x - 3.5) + "\" y=\"" + n(y - 3.5) +
                   "\" width=\"7\" height=\"7\" fill=\"" + c + "\"/>";
        case 2:
            return "<path d=\"M" + n(x) + " " + n(y - 4.5) + "L" + n(x + 4) + " " + n(y + 3) + "L" +
                   n(x - 4) + " " + n(y + 3) + "Z\" fill=\"" + c + "\"/>";
        case 3:
            return "<path d=\"M" + n(x) + " " + n(y - 4.5) + "L" + n(x + 4.5) + " " + n(y) + "L" +
                   n(x) + " " + n(y + 4.5) + "L" + n(x - 4.5) + " " + n(y) + "Z\" fill=\"" + c +
                   "\"/>";
        case 4:
            return "<path d=\"M" + n(x - 3.5) + " " + n(y - 3.5) + "L" + n(x + 3.5) + " " +
                   n(y + 3.5) + "M" + n(x - 3.5) + " " + n(y + 3.5) + "L" + n(x + 3.5) + " " +
                   n(y - 3.5) + "\" stroke=\"" + c + "\" stroke-width=\"2\"/>";
        case 5:
            return "<path d=\"M" + n(x - 4) + " " + n(y) + "L" + n(x + 4) + " " + n(y) + "M" +
                   n(x) + " " + n(y - 4) + "L" + n(x) + " " + n(y + 4) + "\" stroke=\"" + c +
                   "\" stroke-width=\"2\"/>";
        case 6:
            return "<circle cx=\"" + n(x) + "\" cy=\"" + n(y) +
                   "\" r=\"3.5\" fill=\"#fff\" stroke=\"" + c + "\" stroke-width=\"1.5\"/>";
        default:
            return "<path d=\"M" + n(x) + " " + n(y + 4.5) + "L" + n(x + 4) + " " + n(y - 3) + "L" +
                   n(x - 4) + " " + n(y - 3) + "Z\" fill=\"" + c + "\"/>";
    }
}

// Legend items laid out left to right from (x, y), wrapping at the right
// edge. Returns the markup; `height` receives the rows used.
std::string legend(const std::vector<std::string>& names, double x0, double y0, double& height) {
    std::string out = "<g class=\"legend\">";
    double x = x0, y = y0;
    for (std::size_t i = 0; i < names.size(); ++i) {
        const std::string label = truncate(names[i], 40);
        const double w = 34 + 6.5 * static_cast<double>(label.size()) + 16;
        if (x + w > kWidth - 8 && x > x0) {
            x = x0;
            y += 16;
        }
        const char* colour = kColours[i % kStyles];
        out += "<path d=\"M" + n(x) + " " + n(y - 4) + "h26\" stroke=\"" + colour +
               "\" stroke-width=\"2\" fill=\"none\"";
        if (*kDashes[i % kStyles])
            out += std::string(" stroke-dasharray=\"") + kDashes[i % kStyles] + "\"";
        out += "/>" + marker(i, x + 13, y - 4, colour) + text(x + 32, y, label);
        x += w;
    }
    height = y - y0 + 16;
    return out + "</g>";
}

}  // namespace

std::size_t coarsen(std::vector<double>& values, std::size_t columns_max) {
    columns_max = std::max<std::size_t>(1, columns_max);
    std::size_t factor = 1;
    while ((values.size() + factor - 1) / factor > columns_max)
        ++factor;
    if (factor == 1)
        return 1;
    std::vector<double> out((values.size() + factor - 1) / factor, 0.0);
    for (std::size_t i = 0; i < values.size(); ++i)
        out[i / factor] += values[i];
    values = std::move(out);
    return factor;
}

std::string line_chart(const LineChart& c) {
    // Legend first: its height decides where the plot starts.
    std::vector<std::string> names;
    for (const auto& s : c.series)
        names.push_back(s.name);
    double legend_h = 0;
    const std::string legend_svg = legend(names, 64, 40, legend_h);
    const double top = 32 + legend_h + 4, left = 64, right = kWidth - 16;
    const double plot_h = 200;
    const double bottom = top + plot_h;
    const double height = bottom + 44;

    double x_lo = std::numeric_limits<double>::infinity(), x_hi = -x_lo, y_hi = 0;
    for (const auto& s : c.series) {
        for (const auto& [x, y] : s.points) {
            x_lo = std::min(x_lo, x);
            x_hi = std::max(x_hi, x);
            y_hi = std::max(y_hi, y);
        }
    }
    if (!std::isfinite(x_lo)) {
        x_lo = 0;
        x_hi = 1;
    }
    const bool categorical = !c.x_categories.empty();
    if (categorical) {
        x_lo = -0.5;
        x_hi = static_cast<double>(c.x_categories.size()) - 0.5;
    }
    const Axis ya = axis_for(0, y_hi > 0 ? y_hi : 1, 5);
    const Axis xa = categorical ? Axis{x_lo, x_hi, 1} : axis_for(x_lo, x_hi, 8);
    const auto px = [&](double x) { return left + (x - xa.lo) / (xa.hi - xa.lo) * (right - left); };
    const auto py = [&](double y) { return bottom - (y - ya.lo) / (ya.hi - ya.lo) * plot_h; };

    std::string out = svg_open(height, c.title);
    out += text(left, 18, c.title, "start", "ct");
    out += legend_svg;
    // Grid and ticks.
    for (double y = ya.lo; y <= ya.hi + ya.step / 2; y += ya.step) {
        out += line(left, py(y), right, py(y), "grid");
        out += text(left - 6, py(y) + 4, format_short(y), "end");
    }
    if (categorical) {
        const std::size_t every = std::max<std::size_t>(1, (c.x_categories.size() + 11) / 12);
        for (std::size_t i = 0; i < c.x_categories.size(); i += every) {
            const double x = px(static_cast<double>(i));
            out += line(x, bottom, x, bottom + 4, "axis");
            out += text(x, bottom + 16, truncate(c.x_categories[i], 14), "middle");
        }
    } else {
        for (double x = xa.lo; x <= xa.hi + xa.step / 2; x += xa.step) {
            out += line(px(x), bottom, px(x), bottom + 4, "axis");
            out += text(px(x), bottom + 16, format_short(x), "middle");
        }
    }
    out += line(left, bottom, right, bottom, "axis");
    out += line(left, top, left, bottom, "axis");
    out += text((left + right) / 2, bottom + 36, c.x_label, "middle", "al");
    out += "<text class=\"al\" transform=\"translate(14 " + n((top + bottom) / 2) +
           ") rotate(-90)\" text-anchor=\"middle\">" + escape_html(c.y_label) + "</text>";
    // Series: a path, then markers at (at most) 12 evenly spread points.
    for (std::size_t i = 0; i < c.series.size(); ++i) {
        const auto& pts = c.series[i].points;
        if (pts.empty())
            continue;
        const char* colour = kColours[i % kStyles];
        std::string d;
        for (std::size_t k = 0; k < pts.size(); ++k)
            d += (k == 0 ? "M" : "L") + n(px(pts[k].first)) + " " + n(py(pts[k].second));
        out += "<path d=\"" + d + "\" fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"2\"";
        if (*kDashes[i % kStyles])
            out += std::string(" stroke-dasharray=\"") + kDashes[i % kStyles] + "\"";
        out += "><title>" + escape_html(c.series[i].name) + "</title></path>";
        const std::size_t every = std::max<std::size_t>(1, (pts.size() + 11) / 12);
        // Offset per series so markers of overlapping lines stay visible.
        for (std::size_t k = (i * every / kStyles) % every; k < pts.size(); k += every)
            out += marker(i, px(pts[k].first), py(pts[k].second), colour);
    }
    return out + "</svg>";
}

std::string column_chart(const BarChart& c) {
    const double top = 40, left = 64, right = kWidth - 16, plot_h = 190;
    const double bottom = top + plot_h, height = bottom + 50;
    double hi = 0;
    for (const auto& b : c.bars)
        hi = std::max(hi, b.value);
    const Axis ya = axis_for(0, hi > 0 ? hi : 1, 5);
    const auto py = [&](double y) { return bottom - y / ya.hi * plot_h; };
    std::string out = svg_open(height, c.title);
    out += text(left, 18, c.title, "start", "ct");
    for (double y = 0; y <= ya.hi + ya.step / 2; y += ya.step) {
        out += line(left, py(y), right, py(y), "grid");
        out += text(left - 6, py(y) + 4, format_short(y), "end");
    }
    const double slot =
        (right - left) / static_cast<double>(std::max<std::size_t>(1, c.bars.size()));
    const std::size_t label_every = std::max<std::size_t>(1, (c.bars.size() + 15) / 16);
    for (std::size_t i = 0; i < c.bars.size(); ++i) {
        const Bar& b = c.bars[i];
        const double x = left + slot * static_cast<double>(i);
        const double w = std::max(1.0, slot * 0.8);
        out += "<rect class=\"bar\" x=\"" + n(x + slot * 0.1) + "\" y=\"" + n(py(b.value)) +
               "\" width=\"" + n(w) + "\" height=\"" + n(bottom - py(b.value)) + "\"><title>" +
               escape_html(b.label + ": " + format_count(b.value) +
                           (b.note.empty() ? "" : " (" + b.note + ")")) +
               "</title></rect>";
        if (b.value > 0 && c.bars.size() <= 32)
            out += text(x + slot / 2, py(b.value) - 4, format_short(b.value), "middle", "val");
        if (i % label_every == 0)
            out += text(x + slot / 2, bottom + 16, truncate(b.label, 10), "middle");
    }
    out += line(left, bottom, right, bottom, "axis");
    out += line(left, top, left, bottom, "axis");
    out += text((left + right) / 2, bottom + 38, c.x_label, "middle", "al");
    out += "<text class=\"al\" transform=\"translate(14 " + n((top + bottom) / 2) +
           ") rotate(-90)\" text-anchor=\"middle\">" + escape_html(c.y_label) + "</text>";
    return out + "</svg>";
}

std::string row_chart(const BarChart& c) {
    const double top = 36, row_h = 22, label_w = 200, value_w = 150;
    const double left = label_w + 8, right = kWidth - value_w;
    const double bottom = top + row_h * static_cast<double>(c.bars.size());
    const double height = bottom + 40;
    double hi = 0;
    for (const auto& b : c.bars)
        hi = std::max(hi, b.value);
    const Axis xa = axis_for(0, hi > 0 ? hi : 1, 4);
    const auto px = [&](double v) { return left + v / xa.hi * (right - left); };
    std::string out = svg_open(height, c.title);
    out += text(8, 18, c.title, "start", "ct");
    for (double v = 0; v <= xa.hi + xa.step / 2; v += xa.step) {
        out += line(px(v), top - 4, px(v), bottom, "grid");
        out += text(px(v), bottom + 14, format_short(v), "middle");
    }
    for (std::size_t i = 0; i < c.bars.size(); ++i) {
        const Bar& b = c.bars[i];
        const double y = top + row_h * static_cast<double>(i);
        out += "<g><title>" + escape_html(b.label) + "</title>" +
               text(label_w, y + 15, truncate(b.label, 30), "end") + "</g>";
        out += "<rect class=\"bar\" x=\"" + n(left) + "\" y=\"" + n(y + 4) + "\" width=\"" +
               n(std::max(0.0, px(b.value) - left)) + "\" height=\"" + n(row_h - 8) + "\"/>";
        out += text(px(b.value) + 6, y + 15,
                    format_count(b.value) + (b.note.empty() ? "" : " \xC2\xB7 " + b.note), "start",
                    "val");
    }
    out += line(left, top - 4, left, bottom, "axis");
    out += text((left + right) / 2, bottom + 32, c.x_label, "middle", "al");
    return out + "</svg>";
}

std::string heat_strip(const HeatStrip& c) {
    const double top = 56, row_h = 20, label_w = 150, value_w = 170;
    const double left = label_w + 8, right = kWidth - value_w;
    std::vector<std::pair<std::string, std::vector<double>>> rows = c.rows;
    std::size_t factor = 1;
    double max_cell = 0;
    std::size_t columns = 1;
    for (auto& [name, values] : rows) {
        factor = coarsen(values, c.columns_max);
        columns = std::max(columns, values.size());
        for (double v : values)
            max_cell = std::max(max_cell, v);
    }
    const double col_s = c.slot_s * static_cast<double>(factor);
    const double cell_w = (right - left) / static_cast<double>(columns);
    const double bottom = top + row_h * static_cast<double>(rows.size());
    const double height = bottom + 44;
    const auto level = [&](double v) {
        if (v <= 0 || max_cell <= 0)
            return 0;
        return std::clamp(static_cast<int>(std::ceil(5.0 * v / max_cell)), 1, 5);
    };
    std::string out = svg_open(height, c.title);
    out += text(8, 18, c.title, "start", "ct");
    // Legend: the five levels with the counts each stands for.
    out += "<g class=\"legend\">";
    double lx = 8;
    out += text(lx, 40, c.unit + " per " + format_short(col_s) + " s:");
    lx += 6.5 * static_cast<double>(c.unit.size() + 14) + 10;
    for (int l = 1; l <= 5; ++l) {
        const double lo = std::floor(max_cell * (l - 1) / 5.0) + 1;
        const double hi = std::floor(max_cell * l / 5.0);
        const std::string range =
            lo >= hi ? format_short(hi) : format_short(lo) + "\xE2\x80\x93" + format_short(hi);
        out += "<rect x=\"" + n(lx) + "\" y=\"30\" width=\"14\" height=\"12\" fill=\"" + kHeat[l] +
               "\" stroke=\"#888\"/>" + text(lx + 18, 40, range);
        lx += 30 + 6.5 * static_cast<double>(range.size());
    }
    out += "</g>";
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const auto& [name, values] = rows[r];
        const double y = top + row_h * static_cast<double>(r);
        double total = 0, peak = 0;
        std::size_t peak_at = 0;
        for (std::size_t k = 0; k < values.size(); ++k) {
            total += values[k];
            if (values[k] > peak) {
                peak = values[k];
                peak_at = k;
            }
        }
        out += "<g><title>" + escape_html(name) + "</title>" +
               text(label_w, y + 14, truncate(name, 22), "end") + "</g>";
        out += "<rect x=\"" + n(left) + "\" y=\"" + n(y + 2) + "\" width=\"" + n(right - left) +
               "\" height=\"" + n(row_h - 4) + "\" fill=\"#fff\" stroke=\"#ccc\"/>";
        for (std::size_t k = 0; k < values.size(); ++k) {
            const int l = level(values[k]);
            if (l == 0)
                continue;
            const double t0 = col_s * static_cast<double>(k);
            out += "<rect x=\"" + n(left + cell_w * static_cast<double>(k)) + "\" y=\"" + n(y + 2) +
                   "\" width=\"" + n(cell_w + 0.3) + "\" height=\"" + n(row_h - 4) + "\" fill=\"" +
                   kHeat[l] + "\"><title>" +
                   escape_html(name + ", " + format_short(t0) + "\xE2\x80\x93" +
                               format_short(t0 + col_s) + " s: " + format_count(values[k]) + " " +
                               c.unit) +
                   "</title></rect>";
        }
        if (peak > 0) {
            const double px = left + cell_w * (static_cast<double>(peak_at) + 0.5);
            out += "<path class=\"peak\" d=\"M" + n(px) + " " + n(y + row_h - 2) + "l4 -6h-8z\"/>";
        }
        out += text(right + 8, y + 14,
                    "total " + format_count(total) +
                        (peak > 0 ? ", peak " + format_count(peak) + " at " +
                                        format_short(col_s * static_cast<double>(peak_at)) + " s"
                                  : ""),
                    "start", "val");
    }
    // Time axis.
    const double span = col_s * static_cast<double>(columns);
    const Axis xa = axis_for(0, span, 8);
    for (double t = 0; t <= span + 1e-9; t += xa.step) {
        const double x = left + t / span * (right - left);
        out += line(x, bottom, x, bottom + 4, "axis");
        out += text(x, bottom + 16, format_short(t), "middle");
    }
    out += line(left, bottom, right, bottom, "axis");
    out += text((left + right) / 2, bottom + 36, c.x_label, "middle", "al");
    return out + "</svg>";
}

}  // namespace conflictlab::reports::detail
