/** The console's Content-Security-Policy: no script at all, styles and images from itself only. */
export const CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/**
 * The MFA enrolment page shows the device's QR code as a data: URL: the seed exists in clear only
 * in that one answer, so there is nothing to serve the image from later. data: is allowed for
 * images (which cannot run script) on that page only.
 */
export const CSP_WITH_DATA_IMAGES = CSP.replace("img-src 'self'", "img-src 'self' data:");
