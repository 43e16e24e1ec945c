using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace LambdaIdentity.Tests;

/// <summary>TLS for the local test endpoints (Azure Resource Manager, AWS): a throwaway certificate and a client that trusts only it.</summary>
internal static class LocalTls
{
    /// <summary>A self-signed server certificate for 127.0.0.1, localhost and <paramref name="dnsNames"/>, valid for an hour.</summary>
    public static X509Certificate2 CreateCertificate(params string[] dnsNames)
    {
        using var rsa = RSA.Create(2048);
        var req = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        foreach (var name in dnsNames) san.AddDnsName(name);
        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
        using var cert = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null);
    }

    /// <summary>A client handler that trusts only <paramref name="certificate"/>.</summary>
    public static HttpMessageHandler TrustingHandler(X509Certificate2 certificate) => new HttpClientHandler
    {
        ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert is not null && cert.Thumbprint == certificate.Thumbprint,
    };
}
