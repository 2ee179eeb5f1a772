namespace Cistrat.Learning.Core.Notifications;

/// <summary>The kinds of mail the platform sends, and how each answers to a person's preferences.</summary>
public static class MailKinds
{
    public const string AccountConfirmation = "account-confirmation";
    public const string PasswordReset = "password-reset";
    public const string SessionReminder = "session-reminder";
    public const string SessionUpdate = "session-update";
    public const string InactivityNudge = "inactivity-nudge";
    public const string Deadline = "deadline";
    public const string Announcement = "announcement";
    public const string Digest = "digest";
    public const string CertificateIssued = "certificate-issued";

    public static IReadOnlyList<MailKind> All { get; } =
    [
        new(AccountConfirmation, Essential: true, EnabledByDefault: true, MayGoToDigest: false),
        new(PasswordReset, Essential: true, EnabledByDefault: true, MayGoToDigest: false),
        new(SessionReminder, Essential: false, EnabledByDefault: true, MayGoToDigest: false),
        new(SessionUpdate, Essential: false, EnabledByDefault: true, MayGoToDigest: false),
        new(InactivityNudge, Essential: false, EnabledByDefault: true, MayGoToDigest: false),
        new(Deadline, Essential: false, EnabledByDefault: true, MayGoToDigest: true),
        new(Announcement, Essential: false, EnabledByDefault: true, MayGoToDigest: true),
        new(Digest, Essential: false, EnabledByDefault: false, MayGoToDigest: false),
        // The certificate itself travels by mail: like account mail, it is not something to unsubscribe from.
        new(CertificateIssued, Essential: true, EnabledByDefault: true, MayGoToDigest: false),
    ];

    public static MailKind? Find(string? kind) => All.FirstOrDefault(k => k.Name == kind);

    /// <summary>The kinds a person may turn off (essential account mail cannot be).</summary>
    public static IEnumerable<MailKind> Optional => All.Where(k => !k.Essential);
}

/// <param name="Essential">Account mail: always sent, no unsubscribe link.</param>
/// <param name="MayGoToDigest">A person may have this kind collected into the weekly digest instead.</param>
public sealed record MailKind(string Name, bool Essential, bool EnabledByDefault, bool MayGoToDigest);
