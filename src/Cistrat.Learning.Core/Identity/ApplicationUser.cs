using Microsoft.AspNetCore.Identity;

namespace Cistrat.Learning.Core.Identity;

/// <summary>A person who signs in: trainee, lecturer, coordinator or admin (roles say which).</summary>
public class ApplicationUser : IdentityUser
{
    /// <summary>The name exactly as it should appear on a certificate, in any script.</summary>
    public string FullName { get; set; } = "";

    /// <summary>ISO 3166-1 alpha-2 code, e.g. "DZ".</summary>
    public string? Country { get; set; }

    public string? Organisation { get; set; }

    /// <summary>UI culture name, e.g. "en", "fr", "ar".</summary>
    public string PreferredLanguage { get; set; } = "en";

    /// <summary>IANA time zone id, e.g. "Africa/Algiers".</summary>
    public string TimeZoneId { get; set; } = "Etc/UTC";

    /// <summary>Self-described and optional; used only in aggregate reports.</summary>
    public string? Gender { get; set; }

    public DateTime CreatedAt { get; set; }
}
