using Cistrat.Learning.Core.Live;
using Cistrat.Learning.Web.Features.Live;
using Microsoft.AspNetCore.Http.Connections;

namespace Microsoft.Extensions.DependencyInjection;

public static class LiveRegistration
{
    /// <summary>Setting that names a Redis server; when set, several web nodes serve one room through its backplane.</summary>
    public const string RedisSetting = "SignalR:Redis";

    public static IServiceCollection AddLearningLive(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var signalR = services.AddSignalR(o =>
        {
            // The largest legal call is the notes: 20,000 characters of Arabic or Chinese are up to 60 KB of UTF-8.
            o.MaximumReceiveMessageSize = 128 * 1024;
            // A reconnecting browser gets what it missed from this buffer when it can; Sync covers the rest.
            o.StatefulReconnectBufferSize = 16 * 1024;
            o.EnableDetailedErrors = false;
        });
        if (configuration[RedisSetting] is { Length: > 0 } redis)
        {
            signalR.AddStackExchangeRedis(redis, o =>
            {
                o.Configuration.ChannelPrefix = StackExchange.Redis.RedisChannel.Literal("cistrat");
                o.Configuration.AbortOnConnectFail = false;
                // While Redis is down a publish fails at once instead of holding the hub call for seconds: the
                // database has the change, and clients catch up through Sync.
                o.Configuration.BacklogPolicy = StackExchange.Redis.BacklogPolicy.FailFast;
            });
        }

        services.AddScoped<LiveRoomService>();
        services.AddScoped<LiveSessionService>();
        services.AddSingleton<RoomAccess>();
        services.AddSingleton<RoomRateLimits>();
        services.AddSingleton<RoomWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<RoomWriter>());
        services.AddHostedService<SessionEndSweep>();
        services.AddSingleton<PdfSlides>();
        services.AddSingleton<CourseSlideDecks>();
        return services;
    }

    public static WebApplication MapLearningLive(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Browsers send the sign-in cookie with a WebSocket opened by any site: refuse other origins.
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/hubs", StringComparison.OrdinalIgnoreCase), branch => branch.Use(async (context, next) =>
        {
            // A refusal here is an answer to a script, not a page to show: no re-executed error page (which, for
            // the negotiate POST, would fail antiforgery and turn 401/403 into 400).
            if (context.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } pages)
                pages.Enabled = false;
            if (!SameOrigin.Allows(context.Request))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return;
            }

            // The request is authenticated by now, and a WebSocket keeps its request for the socket's life: the
            // cookies (the sign-in cookie is 1-2 KB, held as the header and again parsed) are not needed any more.
            context.Request.Headers.Cookie = default;
            context.Features.Set<Microsoft.AspNetCore.Http.Features.IRequestCookiesFeature>(null);
            await next(context);
        }));
        app.MapHub<LiveHub>("/hubs/live", o =>
        {
            o.AllowStatefulReconnects = true;
            o.Transports = HttpTransportType.WebSockets | HttpTransportType.ServerSentEvents | HttpTransportType.LongPolling;
        });
        app.MapLiveEndpoints();
        return app;
    }
}
