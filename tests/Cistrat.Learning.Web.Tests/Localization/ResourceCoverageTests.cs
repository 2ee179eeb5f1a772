using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Completion;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Core.Notifications;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Cistrat.Learning.Web.Tests.Localization;

/// <summary>
/// The UI string table is keyed by the English text, so a string added to a page silently shows in English
/// to French and Arabic readers until someone translates it. These tests read the pages' source to find
/// every key and hold the resource files to it. The mail templates have their own table (MailText), held
/// complete in French only: a mail in another language falls back to English string by string.
/// </summary>
public sealed partial class ResourceCoverageTests
{
    // The catalogue's theme slugs (course.yml "themes"), shown through L["theme:" + slug].
    private static readonly string[] Themes = ["ai", "data", "sti-policy", "digital-transformation", "open-science", "innovation-systems"];

    private const string Literal = @"""((?:[^""\\\n]|\\.)*)""";

    private const string SharedTable = "SharedResource";
    private const string MailTable = "MailText";

    private static readonly Lazy<string> RepoRoot = new(FindRepoRoot);
    private static readonly Lazy<string> FeaturesFolder = new(() => Path.Combine(RepoRoot.Value, "src", "Cistrat.Learning.Web", "Features"));

    // The mail templates' folder: its _Imports.razor injects IStringLocalizer<MailText>, so its keys belong to MailText.
    private static readonly Lazy<string> MailTemplatesFolder = new(() => Path.Combine(FeaturesFolder.Value, "Notifications", "Templates"));

    private static readonly Lazy<HashSet<string>> UiKeys = new(() => ScanFeatures(mailTemplates: false));
    private static readonly Lazy<HashSet<string>> MailKeys = new(() => ScanFeatures(mailTemplates: true));

    [GeneratedRegex(@"\b(?:L|localizer)\[\s*" + Literal + @"\s*[\],]")]
    private static partial Regex LocalizerIndexer { get; }

    [GeneratedRegex(@"\bErrorMessage\s*=\s*" + Literal)]
    private static partial Regex ErrorMessage { get; }

    [GeneratedRegex(@"\bDisplay\s*\(\s*Name\s*=\s*" + Literal)]
    private static partial Regex DisplayName { get; }

    [GeneratedRegex(@"\bnew\s+ValidationResult\s*\(\s*" + Literal)]
    private static partial Regex NewValidationResult { get; }

    [GeneratedRegex(@"\{\d+\}")]
    private static partial Regex Placeholder { get; }

    [GeneratedRegex(@"@inject\s+IStringLocalizer<MailText>\s+L\b")]
    private static partial Regex MailTextInjection { get; }

    [GeneratedRegex(@"\bIStringLocalizer<\s*MailText\s*>")]
    private static partial Regex MailTextLocalizer { get; }

    [GeneratedRegex(@"\bIStringLocalizer<\s*SharedResource\s*>")]
    private static partial Regex SharedResourceLocalizer { get; }

    [Fact]
    public void KeyPatterns_FindEveryWayCodeNamesAUiString()
    {
        const string source = """
            <h1>@L["Sign in"]</h1> <p>@L["{0} of {1}", a, b]</p>
            TempData["Message"] = localizer["Say \"hello\"."].Value;
            [Required(ErrorMessage = "Enter your name.")] [Display(Name = "Full name")]
            yield return new ValidationResult("Choose a date.", [nameof(Date)]);
            @L["theme:" + theme] @localizer[error.Description] ViewData["Title"]
            """;

        string[] expected = ["Choose a date.", "Enter your name.", "Full name", "Say \"hello\".", "Sign in", "{0} of {1}"];
        Assert.Equal(expected, KeysIn(source).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void UiStringScan_FindsTheFeaturesKeys()
    {
        // A scan that finds nothing (a moved folder) would let every coverage test pass.
        Assert.True(UiKeys.Value.Count > 0, "The scan of the Web project's Features folder found no UI string.");
    }

    [Fact]
    public void MailStringScan_FindsTheTemplatesKeys()
    {
        Assert.True(MailKeys.Value.Count > 0, $"The scan of the mail templates in {MailTemplatesFolder.Value} found no mail string.");
    }

    [Fact]
    public void MailTemplates_TakeTheirStringsFromMailText_AndNothingElseDoes()
    {
        // The scans split the keys by folder; that split is only right while the localizers are injected this way.
        var imports = Path.Combine(MailTemplatesFolder.Value, "_Imports.razor");
        Assert.True(File.Exists(imports), $"The mail templates' {imports} is missing.");
        Assert.Matches(MailTextInjection, File.ReadAllText(imports));

        var wrong = SourceFiles(FeaturesFolder.Value)
            .Where(f => IsMailTemplate(f)
                ? SharedResourceLocalizer.IsMatch(File.ReadAllText(f))
                : MailTextLocalizer.IsMatch(File.ReadAllText(f)))
            .Select(f => Path.GetRelativePath(RepoRoot.Value, f))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(wrong.Count == 0, $"Mail templates must use IStringLocalizer<MailText> and pages IStringLocalizer<SharedResource>; these files mix them up:{List(wrong)}");
    }

    [Fact]
    public void FrenchResources_CoverEveryUiString() => AssertCoversEveryUiString("fr");

    [Fact]
    public void ArabicResources_CoverEveryUiString() => AssertCoversEveryUiString("ar");

    [Theory]
    [InlineData("")]
    [InlineData("fr")]
    [InlineData("ar")]
    public void ResourceFile_HasEveryDynamicKey(string culture)
    {
        var entries = ReadResx(culture);
        var missing = DynamicKeys().Where(k => string.IsNullOrWhiteSpace(entries.GetValueOrDefault(k))).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, $"{ResxName(culture)} lacks {missing.Count} dynamic key(s):{List(missing)}");
    }

    [Theory]
    [InlineData("")]
    [InlineData("fr")]
    [InlineData("ar")]
    public void Translations_KeepEveryPlaceholderOfTheirKey(string culture)
    {
        var wrong = WrongPlaceholders(ReadResx(culture));
        Assert.True(wrong.Count == 0, $"In {ResxName(culture)}, these translations lose or add a {{n}} placeholder:{List(wrong)}");
    }

    [Theory]
    [InlineData("")]
    [InlineData("fr")]
    [InlineData("ar")]
    public void ResourceFile_HasNoKeyTheCodeNoLongerUses(string culture)
    {
        var known = UiKeys.Value.Concat(DynamicKeys()).Concat(IdentityErrorKeys()).ToHashSet(StringComparer.Ordinal);
        var stale = ReadResx(culture).Keys.Where(k => !known.Contains(k)).Order(StringComparer.Ordinal).ToList();
        Assert.True(stale.Count == 0, $"{ResxName(culture)} has {stale.Count} key(s) that no page uses any more; remove them:{List(stale)}");
    }

    [Theory]
    [InlineData("")]
    [InlineData("fr")]
    [InlineData("ar")]
    public void Localizer_ServesEveryTranslation_FromTheCompiledResources(string culture) =>
        AssertServedFromCompiledResources(typeof(SharedResource), SharedTable, culture);

    [Fact]
    public void FrenchMailResources_CoverEveryMailString()
    {
        var entries = ReadResx(MailTable, "fr");
        var missing = MailKeys.Value.Where(k => string.IsNullOrWhiteSpace(entries.GetValueOrDefault(k))).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, $"{ResxName(MailTable, "fr")} lacks a translation of {missing.Count} mail string(s):{List(missing)}");
    }

    [Theory]
    [InlineData("")]
    [InlineData("fr")]
    public void MailTranslations_KeepEveryPlaceholderOfTheirKey(string culture)
    {
        var wrong = WrongPlaceholders(ReadResx(MailTable, culture));
        Assert.True(wrong.Count == 0, $"In {ResxName(MailTable, culture)}, these translations lose or add a {{n}} placeholder:{List(wrong)}");
    }

    [Theory]
    [InlineData("")]
    [InlineData("fr")]
    public void MailResourceFile_HasNoKeyTheTemplatesNoLongerUse(string culture)
    {
        var stale = ReadResx(MailTable, culture).Keys.Where(k => !MailKeys.Value.Contains(k)).Order(StringComparer.Ordinal).ToList();
        Assert.True(stale.Count == 0, $"{ResxName(MailTable, culture)} has {stale.Count} key(s) that no mail template uses any more; remove them:{List(stale)}");
    }

    [Theory]
    [InlineData("")]
    [InlineData("fr")]
    public void MailLocalizer_ServesEveryTranslation_FromTheCompiledResources(string culture) =>
        AssertServedFromCompiledResources(typeof(MailText), MailTable, culture);

    private static void AssertCoversEveryUiString(string culture)
    {
        var entries = ReadResx(culture);
        var missing = UiKeys.Value.Where(k => string.IsNullOrWhiteSpace(entries.GetValueOrDefault(k))).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, $"{ResxName(culture)} lacks a translation of {missing.Count} UI string(s):{List(missing)}");
    }

    private static List<string> WrongPlaceholders(Dictionary<string, string> entries) =>
        entries
            .Where(e => !Placeholders(e.Key).SetEquals(Placeholders(e.Value)))
            .Select(e => $"\"{e.Key}\" -> \"{e.Value}\"")
            .Order(StringComparer.Ordinal)
            .ToList();

    private static void AssertServedFromCompiledResources(Type table, string tableName, string culture)
    {
        // The same lookup as AddLearningLocalization: a wrong resource name or a missing satellite assembly
        // would fall back to the English key here, as it would on the site.
        var factory = new ResourceManagerStringLocalizerFactory(
            Options.Create(new LocalizationOptions { ResourcesPath = "Resources" }), NullLoggerFactory.Instance);
        var localizer = factory.Create(table);
        var previous = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);
            var notServed = ReadResx(tableName, culture)
                .Where(e => localizer[e.Key].Value != e.Value)
                .Select(e => e.Key)
                .Order(StringComparer.Ordinal)
                .ToList();
            Assert.True(notServed.Count == 0, $"The localizer does not serve the text of {ResxName(tableName, culture)} for {notServed.Count} key(s):{List(notServed)}");
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }

    private static IEnumerable<string> DynamicKeys() =>
        Themes.Select(t => "theme:" + t)
            .Concat(Enum.GetNames<EnrolmentStatus>().Select(s => "status:" + s))
            .Concat(Enum.GetNames<Cistrat.Learning.Core.Certificates.CertificateStatus>().Select(s => "certificate:" + s))
            .Concat(Cistrat.Learning.Web.Features.Certificates.VerificationMessages.All)
            .Concat(Enum.GetNames<EnrolmentPolicy>().Select(p => "policy:" + p))
            .Concat(Enum.GetNames<StaffRole>().Select(r => "staff:" + r))
            .Concat(Enum.GetNames<CompletionPartKind>().Select(k => "part:" + k))
            .Concat(Enum.GetNames<QuizRequirement>().Select(q => "quizzes:" + q))
            .Concat(Roles.All.Select(r => "role:" + r))
            .Concat(MailKinds.All.Select(k => "mail:" + k.Name))
            .Concat(MailKinds.Optional.Select(k => "mail-help:" + k.Name))
            .Concat(Enum.GetNames<AnnouncementAudience>().Select(a => "audience:" + a))
            .Concat(Enum.GetNames<MailStatus>().Select(s => "mail-status:" + s));

    /// <summary>
    /// Register shows Identity's own error text through localizer[error.Description]. Only the errors the
    /// password options can produce are translated; length is checked by the form before Identity sees it.
    /// </summary>
    private static IEnumerable<string> IdentityErrorKeys()
    {
        var describer = new IdentityErrorDescriber();
        return [describer.PasswordRequiresDigit().Description, describer.PasswordRequiresLower().Description];
    }

    /// <summary>The keys of the pages (mailTemplates: false) or of the mail templates (true): each table holds its own.</summary>
    private static HashSet<string> ScanFeatures(bool mailTemplates)
    {
        Assert.True(Directory.Exists(FeaturesFolder.Value), $"The Web project's Features folder is not at {FeaturesFolder.Value}.");
        return SourceFiles(FeaturesFolder.Value)
            .Where(f => IsMailTemplate(f) == mailTemplates)
            .SelectMany(f => KeysIn(File.ReadAllText(f)))
            .ToHashSet(StringComparer.Ordinal);
    }

    private static IEnumerable<string> SourceFiles(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".cshtml", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal));

    private static bool IsMailTemplate(string file) =>
        Path.GetFullPath(file).StartsWith(Path.GetFullPath(MailTemplatesFolder.Value) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static IEnumerable<string> KeysIn(string source) =>
        new[] { LocalizerIndexer, ErrorMessage, DisplayName, NewValidationResult }
            .SelectMany(pattern => pattern.Matches(source))
            .Select(match => UnescapeCSharp(match.Groups[1].Value))
            .Distinct(StringComparer.Ordinal);

    private static string UnescapeCSharp(string literal)
    {
        if (!literal.Contains('\\', StringComparison.Ordinal))
            return literal;
        var text = new StringBuilder(literal.Length);
        for (var i = 0; i < literal.Length; i++)
        {
            if (literal[i] != '\\' || i + 1 == literal.Length)
            {
                text.Append(literal[i]);
                continue;
            }

            var escaped = literal[++i];
            if (escaped == 'u' && i + 4 < literal.Length)
            {
                text.Append((char)int.Parse(literal.AsSpan(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 4;
                continue;
            }

            text.Append(escaped switch { 'n' => '\n', 't' => '\t', 'r' => '\r', '0' => '\0', _ => escaped });
        }

        return text.ToString();
    }

    private static Dictionary<string, string> ReadResx(string culture) => ReadResx(SharedTable, culture);

    private static Dictionary<string, string> ReadResx(string table, string culture)
    {
        var path = Path.Combine(RepoRoot.Value, "src", "Cistrat.Learning.Web", "Resources", ResxName(table, culture));
        Assert.True(File.Exists(path), $"{path} does not exist.");
        return XDocument.Load(path).Root!.Elements("data")
            .ToDictionary(d => (string)d.Attribute("name")!, d => (string?)d.Element("value") ?? "", StringComparer.Ordinal);
    }

    private static string ResxName(string culture) => ResxName(SharedTable, culture);

    private static string ResxName(string table, string culture) => culture.Length == 0 ? $"{table}.resx" : $"{table}.{culture}.resx";

    private static HashSet<string> Placeholders(string text) =>
        Placeholder.Matches(text).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);

    private static string List(IEnumerable<string> items) => string.Concat(items.Select(i => "\n  " + i));

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Cistrat.Learning.sln")))
                return dir.FullName;
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds Cistrat.Learning.sln; run the tests from a checkout of the repository.");
    }
}
