using System.Threading.RateLimiting;
using Microsoft.AspNetCore.SignalR;

namespace Cistrat.Learning.Web.Features.Live;

public enum RoomLimit
{
    Ask,
    Upvote,
    Chat,
    PollVote,
}

/// <summary>
/// Per person and room: a refused call gets <c>rate-limited</c> and the connection stays open. Limits are kept
/// per node; behind a load balancer a person's connection stays on one node, which is what they limit.
/// </summary>
public sealed class RoomRateLimits : IDisposable
{
    private readonly PartitionedRateLimiter<(RoomLimit Limit, string UserId, int SessionId)> _limiter =
        PartitionedRateLimiter.Create<(RoomLimit Limit, string UserId, int SessionId), (RoomLimit, string, int)>(key =>
            RateLimitPartition.GetSlidingWindowLimiter(key, k => new SlidingWindowRateLimiterOptions
            {
                PermitLimit = PerMinute(k.Item1),
                Window = TimeSpan.FromMinutes(1),
                SegmentsPerWindow = 6,
                QueueLimit = 0,
            }));

    public static int PerMinute(RoomLimit limit) => limit switch
    {
        RoomLimit.Ask => 5,
        RoomLimit.Upvote => 60,
        RoomLimit.Chat => 20,
        RoomLimit.PollVote => 30,
        _ => throw new ArgumentOutOfRangeException(nameof(limit)),
    };

    public void Check(RoomLimit limit, string userId, int sessionId)
    {
        using var lease = _limiter.AttemptAcquire((limit, userId, sessionId));
        if (!lease.IsAcquired)
            throw new HubException($"rate-limited: At most {PerMinute(limit)} a minute; wait a little and try again.");
    }

    public void Dispose() => _limiter.Dispose();
}
