using Cistrat.Learning.Core.Live;
using Cistrat.Learning.Web.Features.Live;
using Microsoft.AspNetCore.Http.Connections;

namespace Microsoft.Extensions.DependencyInjection;

public static class LiveRegistration
{
    /// <summary>Setting that names a Redis server; when set, several web nodes serve one room through its backplane.</summary>
    public const string RedisSetting = "SignalR:Redis";

    public const string HubPath = HubRequests.PathPrefix + "/live";

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

        services.AddSingleton<RoomSnapshots>();
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

    /// <summary>
    /// Hub requests leave the page pipeline here, ahead of status-code pages, compression, localization, static files
    /// and the rate limiter, none of which they use: each middleware a WebSocket passes stays with it for the socket's
    /// life. What they get instead is in <see cref="HubRequests"/>. Call it right after forwarded headers.
    /// </summary>
    public static WebApplication UseLearningLiveHub(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapWhen(HubRequests.Matches, branch =>
        {
            branch.Use(HubRequests.PrepareAsync);
            branch.UseRouting();
            branch.UseAuthorization();
            branch.UseEndpoints(endpoints => endpoints.MapHub<LiveHub>(HubPath, o =>
            {
                o.AllowStatefulReconnects = true;
                o.Transports = HttpTransportType.WebSockets | HttpTransportType.ServerSentEvents | HttpTransportType.LongPolling;
            }));
        });
        return app;
    }

    public static WebApplication MapLearningLive(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapLiveEndpoints();
        return app;
    }
}
