using System.Globalization;
using System.Security.Claims;
using Cistrat.Learning.Core;
using Cistrat.Learning.Web.Infrastructure.Localization;

namespace Cistrat.Learning.Web.Infrastructure.Time;

/// <summary>Shows stored UTC times in the viewer's own time zone (from their profile; UTC for visitors).</summary>
public sealed class UserClock(IHttpContextAccessor accessor, TimeProvider time)
{
    public string ZoneId => accessor.HttpContext?.User.FindFirstValue(LearningClaims.TimeZone) is { Length: > 0 } tz && TimeZones.IsValid(tz)
        ? tz
        : "Etc/UTC";

    public DateTime UtcNow => time.GetUtcNow().UtcDateTime;

    public DateTime ToLocal(DateTime utc) => TimeZones.ToLocal(utc, ZoneId);

    /// <summary>e.g. "3 March 2026, 14:05 (Africa/Algiers)" in the current UI culture.</summary>
    public string Format(DateTime utc) =>
        string.Create(CultureInfo.CurrentCulture, $"{ToLocal(utc):f} ({ZoneId})");

    public string FormatDate(DateTime utc) => ToLocal(utc).ToString("d", CultureInfo.CurrentCulture);

    public static string FormatDate(DateOnly date) => date.ToString("d MMM yyyy", CultureInfo.CurrentCulture);
}
