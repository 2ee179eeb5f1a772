using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Cistrat.Learning.Core;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Web.Infrastructure.Localization;
using Microsoft.Extensions.Localization;

namespace Cistrat.Learning.Web.Features.Account;

/// <summary>The profile fields shared by registration and the profile page, with their validation.</summary>
public class ProfileFields : IValidatableObject
{
    [Required(ErrorMessage = "Enter your full name.")]
    [StringLength(200, ErrorMessage = "The name can have at most 200 characters.")]
    [Display(Name = "Full name as it should appear on your certificate")]
    public string FullName { get; set; } = "";

    [Display(Name = "Country")]
    public string? Country { get; set; }

    [StringLength(200, ErrorMessage = "The organisation can have at most 200 characters.")]
    [Display(Name = "Organisation")]
    public string? Organisation { get; set; }

    [Display(Name = "Preferred language")]
    public string PreferredLanguage { get; set; } = UiCultures.Default;

    [Display(Name = "Time zone")]
    public string TimeZoneId { get; set; } = "Etc/UTC";

    [StringLength(64, ErrorMessage = "The gender description can have at most 64 characters.")]
    [Display(Name = "Gender (optional, self-described; used only in anonymous totals)")]
    public string? Gender { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // MVC passes these messages through untranslated, unlike attribute messages: translate them here.
        var localizer = validationContext.Localizer();
        if (!UiCultures.IsSupported(PreferredLanguage))
            yield return new ValidationResult(localizer["Choose one of the languages offered."], [nameof(PreferredLanguage)]);
        if (!TimeZones.IsValid(TimeZoneId))
            yield return new ValidationResult(localizer["Choose a time zone from the list."], [nameof(TimeZoneId)]);
        if (!string.IsNullOrEmpty(Country) && !Countries.IsValid(Country))
            yield return new ValidationResult(localizer["Choose a country from the list."], [nameof(Country)]);
    }

    public void ApplyTo(ApplicationUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        user.FullName = FullName.Trim();
        user.Country = string.IsNullOrEmpty(Country) ? null : Country;
        user.Organisation = string.IsNullOrWhiteSpace(Organisation) ? null : Organisation.Trim();
        user.PreferredLanguage = PreferredLanguage;
        user.TimeZoneId = TimeZoneId;
        user.Gender = string.IsNullOrWhiteSpace(Gender) ? null : Gender.Trim();
    }

    public static T From<T>(ApplicationUser user)
        where T : ProfileFields, new()
    {
        ArgumentNullException.ThrowIfNull(user);
        return new T
        {
            FullName = user.FullName, Country = user.Country, Organisation = user.Organisation,
            PreferredLanguage = user.PreferredLanguage, TimeZoneId = user.TimeZoneId, Gender = user.Gender,
        };
    }
}

public static class Countries
{
    private static readonly Lazy<IReadOnlyList<RegionInfo>> AllRegions = new(() =>
        CultureInfo.GetCultures(CultureTypes.SpecificCultures)
            .Select(c => { try { return new RegionInfo(c.Name); } catch (ArgumentException) { return null; } })
            .OfType<RegionInfo>()
            .Where(r => r.TwoLetterISORegionName.Length == 2 && char.IsLetter(r.TwoLetterISORegionName[0]))
            .DistinctBy(r => r.TwoLetterISORegionName)
            // Names come from EnglishName: a RegionInfo made from a culture such as "ar-DZ" gives its
            // DisplayName in that culture's language, whatever the reader's.
            .ToList());

    public static bool IsValid(string code) => AllRegions.Value.Any(r => r.TwoLetterISORegionName == code);

    /// <summary>(code, English name), sorted by name.</summary>
    public static IEnumerable<(string Code, string Name)> ForDisplay() =>
        AllRegions.Value.Select(r => (r.TwoLetterISORegionName, r.EnglishName))
            .OrderBy(r => r.EnglishName, StringComparer.Create(CultureInfo.CurrentUICulture, true));

    public static string NameOf(string? code) =>
        code is null ? "" : AllRegions.Value.FirstOrDefault(r => r.TwoLetterISORegionName == code)?.EnglishName ?? code;
}
