# Downloads: documents the business published for the account and for all its customers.
nav-documents = Downloads
documents-title = Downloads
documents-none = There are no documents to download yet.
documents-none-on-page = There are no documents on this page.
documents-for-account = For your account
documents-from-business = From { $business }
documents-col-document = Document
documents-col-file = File
documents-col-published = Published
documents-file = { $kind }, { $size }
