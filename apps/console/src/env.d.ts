/** Vite bundles imported stylesheets into a file of their own. */
declare module '*.css';
