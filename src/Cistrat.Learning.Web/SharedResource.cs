namespace Cistrat.Learning.Web;

/// <summary>Marker for the one shared UI string table (Resources/SharedResource.*.resx); keys are the English text.</summary>
#pragma warning disable CA1052 // A marker type for IStringLocalizer<T>: it is never instantiated, but must not be static.
public sealed class SharedResource
#pragma warning restore CA1052
{
    private SharedResource()
    {
    }
}
