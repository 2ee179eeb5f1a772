namespace Cistrat.Learning.Core;

/// <summary>IANA time zone helpers: all stored times are UTC, and each person sees their own zone.</summary>
public static class TimeZones
{
    public static bool IsValid(string? ianaId) =>
        !string.IsNullOrWhiteSpace(ianaId) && TimeZoneInfo.TryFindSystemTimeZoneById(ianaId, out _);

    public static TimeZoneInfo Find(string? ianaId) =>
        ianaId is not null && TimeZoneInfo.TryFindSystemTimeZoneById(ianaId, out var zone) ? zone : TimeZoneInfo.Utc;

    public static DateTime ToLocal(DateTime utc, string? ianaId) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), Find(ianaId));

    /// <summary>The IANA ids offered in pickers, sorted; "Etc/UTC" first.</summary>
    public static IReadOnlyList<string> All { get; } = BuildList();

    private static string[] BuildList()
    {
        var ids = TimeZoneInfo.GetSystemTimeZones()
            .Select(z => z.Id)
            .Where(id => id.Contains('/', StringComparison.Ordinal) && !id.StartsWith("Etc/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
        return ["Etc/UTC", .. ids];
    }
}
