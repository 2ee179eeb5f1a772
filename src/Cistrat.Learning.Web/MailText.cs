namespace Cistrat.Learning.Web;

/// <summary>Marker for the mail templates' string table (Resources/MailText.*.resx); keys are the English text.</summary>
#pragma warning disable CA1052 // A marker type for IStringLocalizer<T>: it is never instantiated, but must not be static.
public sealed class MailText
#pragma warning restore CA1052
{
    private MailText()
    {
    }
}
