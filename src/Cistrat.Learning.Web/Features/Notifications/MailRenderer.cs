using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;

namespace Cistrat.Learning.Web.Features.Notifications;

/// <summary>What a mail template knows about the message it renders, and what it tells back (the subject).</summary>
public sealed class MailContext(string recipientName, string timeZoneId, Uri site, Uri? unsubscribe)
{
    public string RecipientName { get; } = recipientName;
    public string TimeZoneId { get; } = timeZoneId;
    public Uri Site { get; } = site;

    /// <summary>The one-click unsubscribe page for this kind of mail; null for essential (account) mail.</summary>
    public Uri? Unsubscribe { get; } = unsubscribe;

    /// <summary>Set by the template while it renders.</summary>
    public string Subject { get; set; } = "";

    /// <summary>An absolute link into the site.</summary>
    public string Link(string path) => new Uri(Site, path).ToString();

    /// <summary>A UTC time as the recipient reads it: their zone, their language's format, the zone named.</summary>
    public string LocalTime(DateTime utc) => TimeIn(utc, TimeZoneId);

    public static string TimeIn(DateTime utc, string timeZoneId)
    {
        var local = Core.TimeZones.ToLocal(utc, timeZoneId);
        return string.Create(CultureInfo.CurrentCulture, $"{local:dddd d MMMM yyyy, HH:mm} ({timeZoneId})");
    }
}

/// <summary>
/// Renders mail templates (.razor components) to HTML outside any request, with the framework's HtmlRenderer, in the
/// recipient's culture. Text in any script comes out as text: the encoder allows all of Unicode, not just Latin.
/// One renderer per batch: the renderer keeps what it rendered until it is disposed.
/// </summary>
public sealed class MailRenderer : IAsyncDisposable
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);
    private readonly HtmlRenderer _renderer;

    public MailRenderer(IServiceProvider services, ILoggerFactory loggers) =>
        _renderer = new HtmlRenderer(new EncoderServices(services), loggers);

    public Task<string> RenderAsync<TComponent>(IDictionary<string, object?> parameters, CultureInfo culture)
        where TComponent : IComponent => RenderAsync(typeof(TComponent), parameters, culture);

    public Task<string> RenderAsync(Type component, IDictionary<string, object?> parameters, CultureInfo culture) =>
        _renderer.Dispatcher.InvokeAsync(async () =>
        {
            var (previous, previousUi) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = culture;
            try
            {
                var output = await _renderer.RenderComponentAsync(component, ParameterView.FromDictionary(parameters));
                return output.ToHtmlString();
            }
            finally
            {
                CultureInfo.CurrentCulture = previous;
                CultureInfo.CurrentUICulture = previousUi;
            }
        });

    public ValueTask DisposeAsync() => _renderer.DisposeAsync();

    /// <summary>The app's services, with an encoder that leaves non-Latin letters alone.</summary>
    private sealed class EncoderServices(IServiceProvider inner) : IServiceProvider
    {
        public object? GetService(Type serviceType) => serviceType == typeof(HtmlEncoder) ? Encoder : inner.GetService(serviceType);
    }
}
