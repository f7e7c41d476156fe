using System.Globalization;
using Cartwise.Core.Attribution;
using Cartwise.Hosting;
using Cartwise.Segments;

namespace Cartwise.Analytics;

/// <summary>A report's figures as rows of text: what the CLI prints as a table or CSV and the API serves as CSV.</summary>
public sealed record ReportTable(string Title, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows)
{
    /// <summary>The table as CSV, header first.</summary>
    public async Task WriteCsvAsync(TextWriter output)
    {
        await output.WriteLineAsync(CsvText.Line(Columns.Select(CsvText.Cell)));
        foreach (var row in Rows) await output.WriteLineAsync(CsvText.Line(row.Select(CsvText.Cell)));
    }

    /// <summary>The table aligned in columns (numbers right, text left) under its title.</summary>
    public string ToText()
    {
        var widths = Columns.Select((c, i) => Math.Max(c.Length, Rows.Count == 0 ? 0 : Rows.Max(r => r[i].Length))).ToArray();
        var numeric = Columns.Select((_, i) => Rows.Count > 0 && Rows.All(r => r[i].Length == 0 || decimal.TryParse(r[i].TrimEnd('%'), NumberStyles.Float, CultureInfo.InvariantCulture, out decimal _))).ToArray();
        string Line(IReadOnlyList<string> cells) => string.Join("  ", cells.Select((c, i) => numeric[i] ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))).TrimEnd();
        var lines = new List<string> { Title, Line(Columns), Line(widths.Select(w => new string('-', w)).ToList()) };
        lines.AddRange(Rows.Select(Line));
        return string.Join(Environment.NewLine, lines);
    }
}

/// <summary>Each report's tables, in the order they are printed; the first is the one a CSV export holds.</summary>
public static class ReportTables
{
    private static string N(decimal v) => v.ToString("0.##", CultureInfo.InvariantCulture);
    private static string N(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
    private static string Pct(double v) => (100 * v).ToString("0.0", CultureInfo.InvariantCulture) + "%";
    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);

    public static IReadOnlyList<ReportTable> Orders(OrdersAnalytics a)
    {
        var v = a.Values;
        var summary = new ReportTable($"Orders {a.Range.From:yyyy-MM-dd} – {a.Range.To:yyyy-MM-dd}{(a.Segment is null ? "" : $", segment {a.Segment}")} ({a.Range.Currency})",
            ["orders", "revenue", "aov", "median", "coupon_share", "refunded_orders", "refunded"],
            [[I(v.Orders), N(v.Revenue), N(v.AverageOrderValue), N(v.Median), Pct(v.CouponShare), I(v.RefundedOrders), N(v.Refunded)]]);
        var histogram = new ReportTable($"Order values (buckets of {N(v.BucketWidth)})", ["from", "to", "orders", "share"],
            v.Histogram.Select(b => (IReadOnlyList<string>)[N(b.From), b.To is { } t ? N(t) : "", I(b.Orders), Pct(v.Orders == 0 ? 0 : (double)b.Orders / v.Orders)]).ToList());
        var quantiles = new ReportTable("Quantiles", ["quantile", "value"], v.Quantiles.Select(q => (IReadOnlyList<string>)[N(q.P), N(q.Value)]).ToList());
        return [histogram, summary, quantiles];
    }

    public static IReadOnlyList<ReportTable> Repeat(RepeatAnalytics a)
    {
        var r = a.Repeat;
        return
        [
            new ReportTable($"Customers by orders, {a.Range.From:yyyy-MM-dd} – {a.Range.To:yyyy-MM-dd}", ["orders", "customers", "share"],
                r.ByOrders.Select(g => (IReadOnlyList<string>)[g.Orders, I(g.Customers), Pct(r.Customers == 0 ? 0 : (double)g.Customers / r.Customers)]).ToList()),
            new ReportTable("Repeat purchase", ["customers", "repeat_customers", "repeat_rate", "median_days_to_second"],
                [[I(r.Customers), I(r.RepeatCustomers), Pct(r.RepeatRate), r.MedianDaysToSecond is { } d ? N(d) : ""]]),
            new ReportTable("Days from first to second order", ["days", "customers"], r.DaysToSecond.Select(g => (IReadOnlyList<string>)[g.Label, I(g.Customers)]).ToList()),
            new ReportTable($"Revenue by customer ({a.Range.Currency})", ["customers", "orders", "revenue"],
            [
                ["new", I(r.NewOrders), N(r.NewRevenue)], ["returning", I(r.ReturningOrders), N(r.ReturningRevenue)], ["guest", I(r.GuestOrders), N(r.GuestRevenue)],
            ]),
        ];
    }

    /// <summary>The left-aligned triangle: a row per cohort, the share still ordering in month 0, 1, 2, … after it.</summary>
    public static IReadOnlyList<ReportTable> Cohorts(CohortAnalytics a)
    {
        var width = a.Cohorts.Count == 0 ? 0 : a.Cohorts.Max(c => c.Months.Count);
        var offsets = Enumerable.Range(0, width).ToList();
        return
        [
            new ReportTable("Cohorts by first order: share of customers ordering in month n", ["cohort", "customers", .. offsets.Select(o => $"m{o}")],
                a.Cohorts.Select(c => (IReadOnlyList<string>)[c.Month, I(c.Customers), .. offsets.Select(o => o < c.Months.Count ? Pct(c.Months[o].Share) : "")]).ToList()),
            new ReportTable($"Cohorts by first order: revenue in month n ({a.Range.Currency})", ["cohort", "customers", .. offsets.Select(o => $"m{o}")],
                a.Cohorts.Select(c => (IReadOnlyList<string>)[c.Month, I(c.Customers), .. offsets.Select(o => o < c.Months.Count ? N(c.Months[o].Revenue) : "")]).ToList()),
        ];
    }

    public static IReadOnlyList<ReportTable> Threshold(ThresholdAnalytics a)
    {
        var s = a.Suggestion;
        return
        [
            new ReportTable($"Free-shipping thresholds ({a.Range.Currency}; median order {N(s.MedianOrderValue)}, typical item {N(s.TypicalItemPrice)})",
                ["threshold", "orders_above", "within_one_item", "suggested", "current"],
                s.Candidates.Select(c => (IReadOnlyList<string>)[N(c.Threshold), Pct(c.ShareAbove), Pct(c.ShareWithinOneItem), c.Threshold == s.Suggested ? "yes" : "",
                    c.Threshold == a.CurrentThreshold ? "yes" : ""]).ToList()),
        ];
    }

    public static IReadOnlyList<ReportTable> Attribution(IReadOnlyList<ModelResult> models, IReadOnlyList<PathSummary> paths, string currency)
    {
        var channels = models.SelectMany(m => m.Channels).Select(c => c.Channel).Distinct().ToList();
        var markov = models.FirstOrDefault(m => m.Model == AttributionModels.Markov);
        IReadOnlyList<string> columns = ["channel", .. models.SelectMany(m => new[] { $"{m.Model}_conversions", $"{m.Model}_value" }), .. markov is null ? [] : new[] { "removal_effect" }];
        var rows = channels.Select(ch =>
        {
            var cells = new List<string> { ch };
            foreach (var m in models)
            {
                var c = m.Channels.FirstOrDefault(x => x.Channel == ch);
                cells.Add(N(c?.Conversions ?? 0));
                cells.Add(N(c?.Value ?? 0));
            }
            if (markov is not null) cells.Add(markov.Channels.FirstOrDefault(x => x.Channel == ch)?.RemovalEffect is { } e ? e.ToString("0.####", CultureInfo.InvariantCulture) : "");
            return (IReadOnlyList<string>)cells;
        }).ToList();
        return [new ReportTable($"Credit by channel ({currency})", columns, rows), Paths(paths, currency)];
    }

    public static ReportTable Paths(IReadOnlyList<PathSummary> paths, string currency) =>
        new($"Top conversion paths ({currency})", ["path", "conversions", "value", "nulls", "conversion_rate"],
            paths.Select(p => (IReadOnlyList<string>)[p.Path, N(p.Conversions), N(p.Value), N(p.Nulls), Pct(p.ConversionRate)]).ToList());

    public static IReadOnlyList<ReportTable> Segments(SegmentOverview o) =>
    [
        new ReportTable($"RFM segments ({o.Customers} customers, window {o.WindowDays} days, scored {o.ScoredAt:yyyy-MM-dd HH:mm}; {o.Currency})",
            ["segment", "name", "rule", "customers", "share", "monetary", "avg_recency_days", "avg_orders", "avg_monetary", "consenting"],
            o.Segments.Select(s => (IReadOnlyList<string>)[s.Key, s.Name, s.Rule, I(s.Customers), Pct(s.Share), N(s.Monetary), N(s.AverageRecencyDays), N(s.AverageOrders),
                N(s.AverageMonetary), I(s.Consenting)]).ToList()),
    ];
}
