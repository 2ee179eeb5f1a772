using System.Net.Mail;

namespace Cistrat.Learning.Core;

public static class EmailAddress
{
    /// <summary>A plain address (no display name), as typed into a list of invitees.</summary>
    public static bool IsValid(string? value) =>
        !string.IsNullOrWhiteSpace(value) && value.Length <= 256
        && MailAddress.TryCreate(value, out var parsed) && parsed.Address == value && value.Contains('.', StringComparison.Ordinal);
}
