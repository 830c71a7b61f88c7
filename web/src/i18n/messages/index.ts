import contacts from './contacts.js';
import core from './core.js';
import groups from './groups.js';
import me from './me.js';

export type Catalogue = { 'zh-CN': Record<string, string>; en: Record<string, string> };

export const catalogues: Catalogue[] = [core, contacts, groups, me];
