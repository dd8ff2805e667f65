package io.jifen.ledger.server;

import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * One self-contained HTML file for a report: its chart (drawn by JFreeChart, embedded as a PNG), then its table, so
 * a finance team can forward one file that opens anywhere without a network.
 */
final class ReportHtml
{
    private ReportHtml()
    {
    }

    /**
     * @param series values keyed "CATEGORY SERIES" (a month, then a program): one bar per program and month.
     */
    static String page(final String title, final String chartTitle, final String axis,
        final Map<String, BigDecimal> series, final String[] header, final List<String[]> rows)
    {
        System.setProperty("java.awt.headless", "true");
        final DefaultCategoryDataset dataset = new DefaultCategoryDataset();
        for (final Map.Entry<String, BigDecimal> e : series.entrySet())
        {
            final int space = e.getKey().indexOf(' ');
            dataset.addValue(e.getValue(), e.getKey().substring(space + 1), e.getKey().substring(0, space));
        }
        final JFreeChart chart = ChartFactory.createBarChart(chartTitle, axis, "", dataset, PlotOrientation.VERTICAL,
            true, false, false);
        chart.setBackgroundPaint(Color.WHITE);
        chart.getCategoryPlot().getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        final ByteArrayOutputStream png = new ByteArrayOutputStream();
        try
        {
            ChartUtils.writeChartAsPNG(png, chart, 1000, 500);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final StringBuilder sb = new StringBuilder(4096);
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(escape(title))
            .append("</title>\n<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}")
            .append("td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}")
            .append("td:first-child,th:first-child{text-align:left}</style></head>\n<body>\n<h1>")
            .append(escape(title)).append("</h1>\n<img alt=\"").append(escape(chartTitle))
            .append("\" src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(png.toByteArray()))
            .append("\">\n<table>\n<tr>");
        for (final String h : header)
        {
            sb.append("<th>").append(escape(h)).append("</th>");
        }
        sb.append("</tr>\n");
        for (final String[] row : rows)
        {
            sb.append("<tr>");
            for (final String cell : row)
            {
                sb.append("<td>").append(escape(cell)).append("</td>");
            }
            sb.append("</tr>\n");
        }
        return sb.append("</table>\n<p>Written by ledger report.</p>\n</body></html>\n").toString();
    }

    static String escape(final String s)
    {
        return null == s ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\"", "&quot;");
    }
}
