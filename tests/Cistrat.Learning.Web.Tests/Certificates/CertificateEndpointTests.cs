using System.Buffers.Text;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Cistrat.Learning.Core.Certificates;
using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cistrat.Learning.Web.Tests.Certificates;

/// <summary>
/// What a third party and the holder reach over HTTP: the published keys, the signed revocation list, the public
/// verification page (by serial and by pasted credential), and the holder's downloads with who may fetch them.
/// Signatures are checked here with the framework's RSA from the published JWKS alone, as any JOSE library would.
/// </summary>
public sealed class CertificateEndpointTests(CertificateAppFactory app) : IClassFixture<CertificateAppFactory>, IAsyncLifetime
{
    private const string HolderName = "Amélie Nguyễn Đức Ørsted";
    private const string Organisation = "Ministry-of-Secret-Research-4417";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await app.ResetCertificatesAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Jwks_PublishesOneRsaKey_UnderTheKidTheCredentialsAreSignedWith()
    {
        using var world = await ArrangeAsync();
        using var anonymous = app.CreateBrowser();

        var response = await anonymous.GetAsync(new Uri("/.well-known/jwks.json", UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/jwk-set+json", response.Content.Headers.ContentType?.MediaType);
        var jwks = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        var key = Assert.Single(jwks["keys"]!.AsArray())!;
        Assert.Equal("RSA", (string?)key["kty"]);
        Assert.Null(key["d"]);
        // The kid is the key's RFC 7638 thumbprint, so anyone can recompute it from the key itself.
        var thumbprint = Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes($"{{\"e\":\"{key["e"]}\",\"kty\":\"RSA\",\"n\":\"{key["n"]}\"}}")));
        Assert.Equal(thumbprint, (string?)key["kid"]);
        Assert.Equal((string?)key["kid"], (string?)Part(world.Certificate.CredentialJwt, 0)["kid"]);
        var payload = VerifyWithJwks(world.Certificate.CredentialJwt, jwks);
        Assert.Equal($"{CertificateAppFactory.SiteUrl}/verify/{world.Certificate.Serial}", (string?)payload["id"]);
    }

    [Fact]
    public async Task RevocationList_IsASignedCredential_WhoseBitIsSetOnceTheCoordinatorRevokes()
    {
        using var world = await ArrangeAsync();
        using var anonymous = app.CreateBrowser();
        var jwks = JsonNode.Parse(await anonymous.GetStringAsync(new Uri("/.well-known/jwks.json", UriKind.Relative), Ct))!;
        var index = world.Certificate.StatusListIndex;
        var otherIndex = world.Other.StatusListIndex;
        Assert.Equal(
            $"{CertificateAppFactory.SiteUrl}/credentials/status/revocation",
            (string?)Part(world.Certificate.CredentialJwt, 1)["credentialStatus"]!["statusListCredential"]);
        Assert.Equal(index.ToString(CultureInfo.InvariantCulture), (string?)Part(world.Certificate.CredentialJwt, 1)["credentialStatus"]!["statusListIndex"]);

        var before = await StatusListAsync(anonymous, jwks);
        Assert.False(StatusList.IsSet(before, index));
        Assert.Equal(0, SetBits(before));

        var revoked = await world.Coordinator.PostFormAsync(world.PageUrl, new Dictionary<string, string>
        {
            ["certificateId"] = world.Certificate.Id.ToString(), ["reason"] = "Issued to the wrong cohort",
        }, world.PageUrl + "?handler=Revoke");
        Assert.Equal(HttpStatusCode.Redirect, revoked.StatusCode);

        var after = await StatusListAsync(anonymous, jwks);
        Assert.True(StatusList.IsSet(after, index), "The revoked certificate's bit is not set in the published list.");
        Assert.False(StatusList.IsSet(after, otherIndex), "A valid certificate's bit is set.");
        Assert.Equal(1, SetBits(after));
        var stored = await app.WithDbAsync(db => db.Certificates.SingleAsync(c => c.Id == world.Certificate.Id, Ct));
        Assert.Equal(CertificateStatus.Revoked, stored.Status);
        Assert.Equal("Issued to the wrong cohort", stored.RevocationReason);
        Assert.Equal(world.CoordinatorId, stored.RevokedById);
    }

    [Fact]
    public async Task VerifyPage_BySerial_SaysValidRevokedOrUnknown_AndShowsNothingPrivate()
    {
        using var world = await ArrangeAsync();
        using var anonymous = new TestBrowser(app);
        var serial = world.Certificate.Serial;

        var valid = await anonymous.GetPageAsync($"/verify/{serial}");
        var text = valid.Body!.TextContent;
        Assert.Contains("Valid certificate", text, StringComparison.Ordinal);
        Assert.Contains(HolderName, text, StringComparison.Ordinal);
        Assert.Contains(TestContent.CourseTitle, text, StringComparison.Ordinal);
        var html = valid.DocumentElement.OuterHtml;
        Assert.DoesNotContain(world.HolderEmail, html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Organisation, html, StringComparison.Ordinal);
        Assert.DoesNotContain("Iceland", html, StringComparison.Ordinal);

        // Typed in lower case, in the form or in the address: the page moves to the canonical address of the QR code.
        var typed = await anonymous.GetAsync($"/verify?serial={serial.ToLowerInvariant()}");
        Assert.Equal(HttpStatusCode.Redirect, typed.StatusCode);
        Assert.Equal($"/verify/{serial}", typed.Headers.Location!.OriginalString);
        var lower = await anonymous.GetAsync($"/verify/{serial.ToLowerInvariant()}");
        Assert.Equal(HttpStatusCode.Redirect, lower.StatusCode);
        Assert.Equal($"/verify/{serial}", lower.Headers.Location!.OriginalString);

        var unknown = (await anonymous.GetPageAsync($"/verify/{CertificateSerial.New()}")).Body!.TextContent;
        Assert.Contains("Unknown certificate", unknown, StringComparison.Ordinal);
        Assert.Contains("No certificate with this serial was issued here.", unknown, StringComparison.Ordinal);
        Assert.DoesNotContain(HolderName, unknown, StringComparison.Ordinal);

        var junk = (await anonymous.GetPageAsync("/verify/not-a-serial")).Body!.TextContent;
        Assert.Contains("This is not a certificate serial", junk, StringComparison.Ordinal);

        await using (var scope = app.Services.CreateAsyncScope())
            Assert.True(await scope.ServiceProvider.GetRequiredService<CertificateService>().RevokeAsync(world.Certificate.Id, "Issued in error", world.CoordinatorId, Ct));
        var revokedAt = await app.WithDbAsync(db => db.Certificates.Where(c => c.Id == world.Certificate.Id).Select(c => c.RevokedAt).SingleAsync(Ct));
        var revoked = (await anonymous.GetPageAsync($"/verify/{serial}")).Body!.TextContent;
        Assert.Contains("Revoked certificate", revoked, StringComparison.Ordinal);
        Assert.DoesNotContain("Valid certificate", revoked, StringComparison.Ordinal);
        Assert.Contains("Revoked on", revoked, StringComparison.Ordinal);
        Assert.Contains(revokedAt!.Value.ToString("d MMMM yyyy", CultureInfo.GetCultureInfo("en")), revoked, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyPage_PastedCredential_IsGenuine_AndATamperedOneIsNot()
    {
        using var world = await ArrangeAsync();
        using var anonymous = new TestBrowser(app);
        var jwt = world.Certificate.CredentialJwt;

        var genuine = await PasteAsync(anonymous, jwt);
        Assert.Contains("Valid certificate", genuine, StringComparison.Ordinal);
        Assert.Contains("signature checks out", genuine, StringComparison.Ordinal);
        Assert.Contains(HolderName, genuine, StringComparison.Ordinal);

        // The holder's name changed in the payload, the issuer's signature kept.
        var parts = jwt.Split('.');
        var payload = Part(jwt, 1);
        payload["credentialSubject"]!["identifier"]![0]!["identityHash"] = "Someone Else";
        var tampered = $"{parts[0]}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload.ToJsonString()))}.{parts[2]}";
        var forged = await PasteAsync(anonymous, tampered);
        Assert.Contains("Not a genuine credential", forged, StringComparison.Ordinal);
        Assert.DoesNotContain("Valid certificate", forged, StringComparison.Ordinal);
        Assert.DoesNotContain("Someone Else", forged, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Downloads_GoToTheHolderAndTheCoordinator_OnlyTo_Them()
    {
        using var world = await ArrangeAsync();
        var serial = world.Certificate.Serial;
        var pdf = $"/certificates/{serial}/pdf";
        var credential = $"/certificates/{serial}/credential";

        foreach (var (who, browser) in new[] { ("holder", world.Holder), ("coordinator", world.Coordinator) })
        {
            var file = await browser.GetAsync(pdf);
            Assert.True(file.StatusCode == HttpStatusCode.OK, $"The {who} gets {(int)file.StatusCode} for the PDF.");
            Assert.Equal("application/pdf", file.Content.Headers.ContentType?.MediaType);
            Assert.StartsWith("%PDF-", Encoding.ASCII.GetString((await file.Content.ReadAsByteArrayAsync(Ct))[..5]), StringComparison.Ordinal);
            var jwt = await browser.GetAsync(credential);
            Assert.Equal(HttpStatusCode.OK, jwt.StatusCode);
            Assert.Equal("application/vc+jwt", jwt.Content.Headers.ContentType?.MediaType);
            Assert.Equal(world.Certificate.CredentialJwt, await jwt.Content.ReadAsStringAsync(Ct));
        }

        Assert.Equal(HttpStatusCode.NotFound, (await world.OtherTrainee.GetAsync(pdf)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await world.OtherTrainee.GetAsync(credential)).StatusCode);

        using var anonymous = new TestBrowser(app);
        foreach (var url in new[] { pdf, credential })
        {
            var response = await anonymous.GetAsync(url);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/account/login", response.Headers.Location!.Target(), StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// A cohort with its coordinator, a holder (signed in, with an e-mail, a country and an organisation that must stay
    /// private) whose certificate was issued by the batch job, another trainee who holds one too, and a trainee who does not.
    /// </summary>
    private async Task<World> ArrangeAsync()
    {
        var suffix = Guid.NewGuid().ToString("n")[..8];
        var (coordinator, coordinatorId) = await CertificateWorld.SignedInAsync(app, $"coordinator-{suffix}@example.org", "Coordinator", Roles.Coordinator);
        var holderEmail = $"holder-{suffix}@example.org";
        var (holder, holderId) = await CertificateWorld.SignedInAsync(app, holderEmail, HolderName);
        await app.WithDbAsync(db => db.Users.Where(u => u.Id == holderId)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.Organisation, Organisation).SetProperty(u => u.Country, "IS"), Ct));
        var (otherTrainee, otherTraineeId) = await CertificateWorld.SignedInAsync(app, $"other-{suffix}@example.org", "Other Trainee");
        var colleague = await CertificateWorld.TraineeAsync(app, "Colleague Holder");

        var cohort = await CertificateWorld.CohortAsync(app, (coordinatorId, StaffRole.Coordinator));
        var holderEnrolment = await CertificateWorld.EnrolAsync(app, cohort, holderId);
        var colleagueEnrolment = await CertificateWorld.EnrolAsync(app, cohort, colleague.Id);
        await CertificateWorld.EnrolAsync(app, cohort, otherTraineeId);
        await CertificateWorld.MeetTheRuleAsync(app, holderId);
        await CertificateWorld.MeetTheRuleAsync(app, colleague.Id);
        var batch = await CertificateWorld.IssueAsync(app, cohort, [holderEnrolment, colleagueEnrolment], coordinatorId);
        return new World(
            $"/cohorts/{cohort}/certificates", coordinator, coordinatorId, holder, holderEmail, otherTrainee,
            await CertificateWorld.CertificateOfAsync(app, batch, holderEnrolment), await CertificateWorld.CertificateOfAsync(app, batch, colleagueEnrolment));
    }

    private static async Task<string> PasteAsync(TestBrowser browser, string credential)
    {
        var response = await browser.PostFormAsync("/verify", new Dictionary<string, string> { ["Credential"] = credential });
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Pasting a credential: {(int)response.StatusCode}\n{body[..Math.Min(body.Length, 1500)]}");
        return WebUtility.HtmlDecode(body);
    }

    /// <summary>Fetches the revocation list, checks its signature against the JWKS, and returns its encoded bits.</summary>
    private static async Task<string> StatusListAsync(HttpClient client, JsonNode jwks)
    {
        var response = await client.GetAsync(new Uri("/credentials/status/revocation", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vc+jwt", response.Content.Headers.ContentType?.MediaType);
        var payload = VerifyWithJwks(await response.Content.ReadAsStringAsync(Ct), jwks);
        Assert.Contains("BitstringStatusListCredential", payload["type"]!.AsArray().Select(t => (string?)t));
        Assert.Equal("revocation", (string?)payload["credentialSubject"]!["statusPurpose"]);
        return (string)payload["credentialSubject"]!["encodedList"]!;
    }

    /// <summary>An RS256 JWS checked with the key its kid names in the JWKS, and nothing else; returns the payload.</summary>
    private static JsonObject VerifyWithJwks(string jwt, JsonNode jwks)
    {
        var parts = jwt.Split('.');
        Assert.Equal(3, parts.Length);
        var header = Part(jwt, 0);
        Assert.Equal("RS256", (string?)header["alg"]);
        var kid = (string?)header["kid"];
        var jwk = jwks["keys"]!.AsArray().SingleOrDefault(k => (string?)k!["kid"] == kid)
            ?? throw new Xunit.Sdk.XunitException($"The JWKS has no key {kid}.");
        using var rsa = RSA.Create(new RSAParameters
        {
            Modulus = Base64Url.DecodeFromChars((string)jwk["n"]!), Exponent = Base64Url.DecodeFromChars((string)jwk["e"]!),
        });
        var signed = rsa.VerifyData(Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        Assert.True(signed, "The signature does not verify with the published key.");
        return Part(jwt, 1);
    }

    private static JsonObject Part(string jwt, int index) =>
        JsonNode.Parse(Base64Url.DecodeFromChars(jwt.Split('.')[index]))!.AsObject();

    /// <summary>How many bits the encoded list sets, decoded here without the app's own reader.</summary>
    private static int SetBits(string encodedList)
    {
        Assert.StartsWith("u", encodedList, StringComparison.Ordinal);
        using var gzip = new GZipStream(new MemoryStream(Base64Url.DecodeFromChars(encodedList.AsSpan(1))), CompressionMode.Decompress);
        using var bits = new MemoryStream();
        gzip.CopyTo(bits);
        Assert.Equal(StatusList.Size / 8, bits.Length);
        return bits.ToArray().Sum(b => BitOperations.PopCount(b));
    }

    private sealed record World(
        string PageUrl, TestBrowser Coordinator, string CoordinatorId, TestBrowser Holder, string HolderEmail, TestBrowser OtherTrainee,
        Certificate Certificate, Certificate Other) : IDisposable
    {
        public void Dispose()
        {
            Coordinator.Dispose();
            Holder.Dispose();
            OtherTrainee.Dispose();
        }
    }
}

/// <summary>The verification page's limit per client: a client that goes over it waits, others do not.</summary>
public sealed class CertificateRateLimitTests(RateLimitedCertificateAppFactory app) : IClassFixture<RateLimitedCertificateAppFactory>
{
    [Fact]
    public async Task VerifyPage_RefusesTheFourthLookUpOfAMinute_FromTheSameClient()
    {
        using var client = app.CreateBrowser();
        using var neighbour = app.CreateBrowser();
        client.DefaultRequestHeaders.Add(CertificateAppFactory.ClientHeader, "192.0.2.10");
        neighbour.DefaultRequestHeaders.Add(CertificateAppFactory.ClientHeader, "192.0.2.11");
        var ct = TestContext.Current.CancellationToken;

        for (var i = 0; i < RateLimitedCertificateAppFactory.Limit; i++)
        {
            var allowed = await client.GetAsync(new Uri($"/verify/{CertificateSerial.New()}", UriKind.Relative), ct);
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        var refused = await client.GetAsync(new Uri($"/verify/{CertificateSerial.New()}", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.DoesNotContain("Unknown certificate", await refused.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await neighbour.GetAsync(new Uri($"/verify/{CertificateSerial.New()}", UriKind.Relative), ct)).StatusCode);
    }
}
