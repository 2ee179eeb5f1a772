using Cistrat.Learning.Core.Certificates;
using Cistrat.Learning.Core.Notifications;
using Cistrat.Learning.Web.Features.Notifications;
using Cistrat.Learning.Web.Tests.Infrastructure;
using Cistrat.Learning.Web.Tests.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Cistrat.Learning.Web.Tests.Certificates;

/// <summary>The certificate mail as the trainee's mail server receives it: the PDF attached, the link to check it.</summary>
public sealed class CertificateMailTests(CertificateAppFactory app) : IClassFixture<CertificateAppFactory>, IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await app.ResetCertificatesAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task CertificateMail_CarriesThePdf_AndTheVerificationLink()
    {
        var (holder, certificate) = await IssueAsync("Amélie Nguyễn Đức Ørsted");

        var result = await DispatchAsync();

        Assert.Equal(1, result.Sent);
        var message = Assert.Single(app.Smtp.To(holder.Email));
        Assert.Equal($"Your certificate of completion: {TestContent.CourseTitle}", message.Subject);
        var attachment = Assert.IsType<MimePart>(Assert.Single(message.Attachments));
        Assert.Equal("application/pdf", attachment.ContentType.MimeType);
        Assert.Equal($"certificate-{certificate.Serial}.pdf", attachment.FileName);
        using var pdf = new MemoryStream();
        await attachment.Content!.DecodeToAsync(pdf, Ct);
        Assert.Equal(await CertificateWorld.PdfAsync(app, certificate.Id), pdf.ToArray());
        Assert.Contains(holder.FullName, await Poppler.TextAsync(pdf.ToArray()), StringComparison.Ordinal);

        var link = $"{CertificateAppFactory.SiteUrl}/verify/{certificate.Serial}";
        Assert.Contains($"href=\"{link}\"", message.Html(), StringComparison.Ordinal);
        Assert.Contains(link, message.Text(), StringComparison.Ordinal);
        var row = Assert.Single(await MailWorld.OutboxAsync(app));
        Assert.Equal((MailKinds.CertificateIssued, MailStatus.Sent), (row.Kind, row.Status));
    }

    [Fact]
    public async Task CertificateMail_IsNotSent_WhenTheCertificateWasRevokedBeforeDispatch()
    {
        var (holder, certificate) = await IssueAsync("Kebede Alemu");
        await using (var scope = app.Services.CreateAsyncScope())
            Assert.True(await scope.ServiceProvider.GetRequiredService<CertificateService>().RevokeAsync(certificate.Id, "Issued in error", holder.Id, Ct));

        var result = await DispatchAsync();

        Assert.Equal((0, 1), (result.Sent, result.Skipped));
        Assert.Empty(app.Smtp.Messages);
        var row = Assert.Single(await MailWorld.OutboxAsync(app));
        Assert.Equal(MailStatus.Skipped, row.Status);
        Assert.Contains("revoked", row.LastError, StringComparison.Ordinal);
    }

    private async Task<(TestPerson Holder, Certificate Certificate)> IssueAsync(string name)
    {
        var cohort = await CertificateWorld.CohortAsync(app);
        var holder = await CertificateWorld.TraineeAsync(app, name);
        var enrolment = await CertificateWorld.EnrolAsync(app, cohort, holder.Id);
        var batch = await CertificateWorld.IssueAsync(app, cohort, [enrolment]);
        var certificate = await CertificateWorld.CertificateOfAsync(app, batch, enrolment);
        // Queued with the certificate, in the same run of the job.
        Assert.Equal(1, await app.WithDbAsync(db => db.OutgoingMail.CountAsync(m => m.Kind == MailKinds.CertificateIssued && m.UserId == holder.Id, Ct)));
        return (holder, certificate);
    }

    private async Task<DispatchResult> DispatchAsync()
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<MailDispatcher>().DispatchAsync(MailDispatchJob.Budget, Ct);
    }
}
