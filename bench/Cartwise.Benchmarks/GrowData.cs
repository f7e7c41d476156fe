using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Cartwise.Benchmarks;

/// <summary>
/// A store N times the size of UCI Online Retail, made the same way from the same seed: the original history, then
/// N − 1 copies in which each customer is replaced by a customer drawn at random (with replacement) whose whole
/// history — orders, their baskets, cancellations — comes with them under a new customer number and new invoice
/// numbers, moved by a random number of days (the same for all of one customer's orders); guest orders are drawn the
/// same way one by one. So the customers, baskets, repeat patterns and refunds look like the original's, N times over.
/// Usage: <c>grow-data --input online_retail.csv.gz --factor 4 --out retail-4x.csv.gz [--seed 1]</c>
/// </summary>
public static class GrowData
{
    private sealed record Invoice(string Number, string? Customer, List<List<string>> Rows);

    public static async Task<int> RunAsync(string[] args)
    {
        var input = BenchArgs.Get(args, "--input") ?? throw new ArgumentException("--input FILE");
        var factor = int.Parse(BenchArgs.Get(args, "--factor") ?? "1", CultureInfo.InvariantCulture);
        var output = BenchArgs.Get(args, "--out") ?? throw new ArgumentException("--out FILE");
        var rng = new Random(int.Parse(BenchArgs.Get(args, "--seed") ?? "1", CultureInfo.InvariantCulture));

        string header;
        var invoices = new List<Invoice>();
        await using (var file = File.OpenRead(input))
        using (var reader = new StreamReader(input.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file, Encoding.UTF8))
        {
            header = (await reader.ReadLineAsync())!;
            var byNumber = new Dictionary<string, Invoice>(StringComparer.Ordinal);
            while (await reader.ReadLineAsync() is { } line)
            {
                var fields = Core.CsvLine.Split(line);
                if (!byNumber.TryGetValue(fields[0], out var invoice))
                    invoices.Add(byNumber[fields[0]] = invoice = new Invoice(fields[0], fields[6].Length == 0 ? null : fields[6], []));
                invoice.Rows.Add(fields);
            }
        }
        var byCustomer = invoices.Where(i => i.Customer is not null).GroupBy(i => i.Customer!).Select(g => g.ToList()).ToList();
        var guests = invoices.Where(i => i.Customer is null).ToList();

        long rows = 0;
        await using (var file = File.Create(output))
        await using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        await using (var w = new StreamWriter(gzip, new UTF8Encoding(false)))
        {
            await w.WriteLineAsync(header);
            // Each copied invoice gets a number of its own, above the original's (six digits): a history drawn twice
            // in one copy must not merge into the first draw's invoices.
            var nextNumber = 1_000_000;
            void Write(Invoice invoice, int copy, string? customer, int shiftDays)
            {
                var number = copy == 0 ? invoice.Number
                    : (char.IsAsciiLetter(invoice.Number[0]) ? invoice.Number[..1] : "") + (nextNumber++).ToString(CultureInfo.InvariantCulture);
                foreach (var r in invoice.Rows)
                {
                    var date = shiftDays == 0 ? r[4] : Shift(r[4], shiftDays);
                    w.WriteLine(string.Join(',', Quote(number), Quote(r[1]), Quote(r[2]), r[3], date, r[5], customer ?? "", Quote(r[7])));
                    rows++;
                }
            }
            for (var copy = 0; copy < factor; copy++)
            {
                foreach (var history in byCustomer)
                {
                    var source = copy == 0 ? history : byCustomer[rng.Next(byCustomer.Count)];
                    var customer = copy == 0 ? history[0].Customer : (int.Parse(history[0].Customer!.Split('.')[0], CultureInfo.InvariantCulture) + copy * 100_000).ToString(CultureInfo.InvariantCulture);
                    var shift = copy == 0 ? 0 : rng.Next(-30, 31);
                    foreach (var invoice in source) Write(invoice, copy, customer, shift);
                }
                foreach (var guest in guests)
                    Write(copy == 0 ? guest : guests[rng.Next(guests.Count)], copy, null, copy == 0 ? 0 : rng.Next(-30, 31));
            }
        }
        Console.WriteLine($"{output}: {rows:N0} rows ({factor}× {invoices.Sum(i => i.Rows.Count):N0}), {byCustomer.Count * factor:N0} customers");
        return 0;
    }

    private static readonly string[] DateFormats = ["yyyy-MM-dd HH:mm:ss", "M/d/yyyy H:mm"];

    /// <summary>A date of the file moved by whole days, written as it was read.</summary>
    private static string Shift(string date, int days)
    {
        var format = DateFormats.First(f => DateTime.TryParseExact(date, f, CultureInfo.InvariantCulture, DateTimeStyles.None, out _));
        return DateTime.ParseExact(date, format, CultureInfo.InvariantCulture).AddDays(days).ToString(format, CultureInfo.InvariantCulture);
    }

    private static string Quote(string field) => field.Contains(',', StringComparison.Ordinal) || field.Contains('"', StringComparison.Ordinal)
        ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
}
