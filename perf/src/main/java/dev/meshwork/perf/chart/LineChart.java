package dev.meshwork.perf.chart;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * A PNG line chart drawn with java.awt (headless): one x axis, one y axis (linear or log10), a
 * legend, optional shaded x ranges (a warm-up, faults). Built, drawn once, thrown away; one thread.
 */
public final class LineChart {
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 420;
    private static final int LEFT = 80;
    private static final int RIGHT = 280;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;
    private static final Color[] COLORS = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44),
        new Color(214, 39, 40), new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194), new Color(127, 127, 127),
        new Color(188, 189, 34), new Color(23, 190, 207)};

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();
    private boolean logY;
    private boolean logX;
    /** Shaded spans of x (a warm-up, a fault), each with its label. */
    private final List<Span> spans = new ArrayList<>();

    private record Span(double from, double to, String label) {
    }

    /** One line: points (x[i], y[i]); NaN values are gaps. Dashed lines are references (an optimum, a budget). */
    public record Series(String name, double[] x, double[] y, boolean dashed) {
    }

    public LineChart(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    public LineChart add(String name, double[] x, double[] y) {
        series.add(new Series(name, x, y, false));
        return this;
    }

    public LineChart reference(String name, double[] x, double[] y) {
        series.add(new Series(name, x, y, true));
        return this;
    }

    public LineChart logY() {
        this.logY = true;
        return this;
    }

    public LineChart logX() {
        this.logX = true;
        return this;
    }

    /** Shades the span of x from {@code from} to {@code to}, labelled; charts may shade several. */
    public LineChart shade(double from, double to, String label) {
        spans.add(new Span(from, to, label));
        return this;
    }

    public void write(Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            draw(g);
        } finally {
            g.dispose();
        }
        ImageIO.write(image, "png", png.toFile());
    }

    private void draw(Graphics2D g) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        double[] xr = range(true);
        double[] yr = range(false);
        int pw = WIDTH - LEFT - RIGHT;
        int ph = HEIGHT - TOP - BOTTOM;
        Axis x = new Axis(xr[0], xr[1], logX, LEFT, LEFT + pw);
        Axis y = new Axis(yr[0], yr[1], logY, TOP + ph, TOP);
        for (int i = 0; i < spans.size(); i++) {
            Span span = spans.get(i);
            g.setColor(new Color(235, 235, 235));
            int a = x.pixel(Math.max(span.from(), xr[0]));
            int b = x.pixel(Math.min(span.to(), xr[1]));
            g.fillRect(a, TOP, Math.max(1, b - a), ph);
            g.setColor(Color.GRAY);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            g.drawString(span.label(), a + 2, TOP + 14 + (i % 3) * 13); // neighbouring labels on different lines
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (double t : x.ticks()) {
            int px = x.pixel(t);
            g.setColor(new Color(225, 225, 225));
            g.drawLine(px, TOP, px, TOP + ph);
            g.setColor(Color.DARK_GRAY);
            String s = label(t);
            g.drawString(s, px - g.getFontMetrics().stringWidth(s) / 2, TOP + ph + 16);
        }
        for (double t : y.ticks()) {
            int py = y.pixel(t);
            g.setColor(new Color(225, 225, 225));
            g.drawLine(LEFT, py, LEFT + pw, py);
            g.setColor(Color.DARK_GRAY);
            String s = label(t);
            g.drawString(s, LEFT - 6 - g.getFontMetrics().stringWidth(s), py + 4);
        }
        g.setColor(Color.BLACK);
        g.drawRect(LEFT, TOP, pw, ph);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, LEFT, TOP - 14);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString(xLabel, LEFT + pw / 2 - g.getFontMetrics().stringWidth(xLabel) / 2, HEIGHT - 12);
        Graphics2D r = (Graphics2D) g.create();
        r.rotate(-Math.PI / 2);
        r.drawString(yLabel, -(TOP + ph / 2) - g.getFontMetrics().stringWidth(yLabel) / 2, 18);
        r.dispose();
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            g.setColor(COLORS[i % COLORS.length]);
            g.setStroke(s.dashed() ? new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[]{6, 4}, 0)
                    : new BasicStroke(1.8f));
            int lastX = -1;
            int lastY = -1;
            for (int p = 0; p < s.x().length; p++) {
                if (!drawable(s.x()[p], logX) || !drawable(s.y()[p], logY)) {
                    lastX = -1;
                    continue;
                }
                int px = x.pixel(s.x()[p]);
                int py = y.pixel(s.y()[p]);
                if (lastX >= 0) {
                    g.drawLine(lastX, lastY, px, py);
                } else if (s.x().length == 1 || p + 1 == s.x().length || !drawable(s.y()[p + 1], logY)) {
                    g.fillOval(px - 2, py - 2, 5, 5);
                }
                lastX = px;
                lastY = py;
            }
            int ly = TOP + 10 + i * 18;
            g.drawLine(LEFT + pw + 12, ly, LEFT + pw + 34, ly);
            g.setColor(Color.BLACK);
            g.drawString(s.name(), LEFT + pw + 40, ly + 4);
        }
    }

    private static boolean drawable(double v, boolean log) {
        return !Double.isNaN(v) && !Double.isInfinite(v) && (!log || v > 0);
    }

    private double[] range(boolean xAxis) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        boolean log = xAxis ? logX : logY;
        for (Series s : series) {
            for (double v : xAxis ? s.x() : s.y()) {
                if (drawable(v, log)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (lo == Double.POSITIVE_INFINITY) {
            return new double[]{log ? 1 : 0, log ? 10 : 1};
        }
        if (!log && !xAxis) {
            lo = Math.min(lo, 0);
            hi = hi <= lo ? lo + 1 : hi * 1.05;
        } else if (hi <= lo) {
            hi = log ? lo * 10 : lo + 1;
        }
        return new double[]{lo, hi};
    }

    private static String label(double v) {
        double a = Math.abs(v);
        if (a >= 1e9) {
            return String.format(Locale.ROOT, "%.3gG", v / 1e9);
        }
        if (a >= 1e6) {
            return String.format(Locale.ROOT, "%.3gM", v / 1e6);
        }
        if (a >= 1e4) {
            return String.format(Locale.ROOT, "%.3gk", v / 1e3);
        }
        return a >= 100 || v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.3g", v);
    }

    /** Maps values to pixels and picks tick values: 1-2-5 steps, or powers of ten on a log axis. */
    private record Axis(double lo, double hi, boolean log, int from, int to) {
        int pixel(double v) {
            double f = log ? (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) : (v - lo) / (hi - lo);
            return (int) Math.round(from + f * (to - from));
        }

        List<Double> ticks() {
            List<Double> out = new ArrayList<>();
            if (log) {
                for (double p = Math.pow(10, Math.floor(Math.log10(lo))); p <= hi && out.size() < 20; p *= 10) {
                    if (p >= lo) {
                        out.add(p);
                    }
                }
                if (out.size() < 2) {
                    out.add(lo);
                    out.add(hi);
                }
                return out;
            }
            double raw = (hi - lo) / 6;
            double mag = Math.pow(10, Math.floor(Math.log10(raw)));
            double step = raw / mag < 2 ? 2 * mag : raw / mag < 5 ? 5 * mag : 10 * mag;
            for (double t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9 && out.size() < 30; t += step) {
                out.add(Math.abs(t) < step * 1e-9 ? 0 : t);
            }
            return out;
        }
    }
}
