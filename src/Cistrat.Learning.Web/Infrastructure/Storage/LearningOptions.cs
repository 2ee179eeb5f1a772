using System.ComponentModel.DataAnnotations;

namespace Cistrat.Learning.Web.Infrastructure.Storage;

/// <summary>Settings under "Learning".</summary>
public sealed class LearningOptions
{
    public const string Section = "Learning";

    /// <summary>Folder for all state of the embedded default (SQLite file, keys, mail pickup); relative to the app's content root.</summary>
    public string DataPath { get; set; } = "App_Data";

    /// <summary>The course content folder; when empty, the nearest "content" folder above the app is used.</summary>
    public string? ContentPath { get; set; }

    public bool ImportContentOnStartup { get; set; } = true;

    /// <summary>Password of the demo accounts seeded by --demo; generated and printed once when empty.</summary>
    public string? DemoPassword { get; set; }

    [Range(5, 24 * 60)]
    public int IdleTimeoutMinutes { get; set; } = 60;

    [Range(1, 10_000)]
    public int SignInAttemptsPerMinute { get; set; } = 20;

    /// <summary>
    /// Pages that support it (the lesson reader) are rendered once per form and then written from that template
    /// with each request's own values (see Infrastructure/Rendering/PageTemplates): on by default.
    /// </summary>
    public bool PageTemplates { get; set; } = true;

    /// <summary>The first admin account, created at start-up when it does not exist yet.</summary>
    public BootstrapAdminOptions Admin { get; set; } = new();
}

public sealed class BootstrapAdminOptions
{
    [EmailAddress]
    public string? Email { get; set; }

    /// <summary>Comes from the environment or user secrets, never from a file in git.</summary>
    public string? Password { get; set; }
}
